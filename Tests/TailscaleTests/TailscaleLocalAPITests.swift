import Tailscale
import TestSupport
import Testing

/// The LocalAPI client against a fake tailscaled on a unix socket that, like the real one,
/// answers 403 unless the Host header is `local-tailscaled.sock`.
struct TailscaleLocalAPITests {
    static func fakeTailscaled(at socket: String, status: String) async throws -> LoopbackServer {
        try await LoopbackServer.start(unixSocketPath: socket) { request in
            guard request.headers["host"] == "local-tailscaled.sock" else {
                return .text(403, "invalid localapi Host header\n")
            }
            guard request.method == "GET", request.path == "/localapi/v0/status" else { return .text(404, "not found\n") }
            return .json(200, status)
        }
    }

    @Test func statusOverTheSocketWithTheRequiredHost() async throws {
        let scratch = try TemporaryDirectory(prefix: "localapi")
        let socket = "\(scratch.path)/tailscaled.sock"
        let server = try await Self.fakeTailscaled(at: socket, status: TailscaleFixtures.running())
        try await withFake(server) { server in
            let status = try await TailscaleLocalAPI(socket: socket).status()
            #expect(status.backendState == .running)
            #expect(status.addresses == ["100.64.0.7", "fd7a:115c:a1e0::7"])
            #expect(server.requests.map(\.line) == ["GET /localapi/v0/status"])
        }
    }

    @Test func errorsNameTheSocketOrTheStatus() async throws {
        let scratch = try TemporaryDirectory(prefix: "localapi-missing")
        let missing = await #expect(throws: TailscaleError.self) {
            try await TailscaleLocalAPI(socket: "\(scratch.path)/absent.sock").status()
        }
        #expect(missing?.description.hasPrefix("tailscaled LocalAPI: \(scratch.path)/absent.sock:") == true, "\(String(describing: missing))")
    }

    @Test func aRefusedRequestNamesTheStatus() async throws {
        let scratch = try TemporaryDirectory(prefix: "localapi-403")
        let socket = "\(scratch.path)/tailscaled.sock"
        let server = try await LoopbackServer.start(unixSocketPath: socket) { _ in .text(403, "invalid localapi Host header\n") }
        try await withFake(server) { server in
            let refused = await #expect(throws: TailscaleError.self) { try await TailscaleLocalAPI(socket: socket).status() }
            #expect(refused?.description == "tailscaled LocalAPI: GET /localapi/v0/status: HTTP 403: invalid localapi Host header")
        }
    }
}
