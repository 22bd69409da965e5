import HTTP

/// tailscaled's LocalAPI over its unix socket: the status without starting a process each pass.
///
/// tailscaled refuses (403) any request whose `Host` is not `local-tailscaled.sock`, so the URL
/// uses that name and the socket carries it.
///
/// ```swift
/// let api = TailscaleLocalAPI(socket: "/var/run/tailscale/tailscaled.sock")
/// let status = try await api.status()
/// ```
public struct TailscaleLocalAPI: TailscaleStatusSource {
    public static let defaultSocket = "/var/run/tailscale/tailscaled.sock"
    public static let host = "local-tailscaled.sock"

    public var socket: String
    let http: HTTPClient

    public init(socket: String = TailscaleLocalAPI.defaultSocket) {
        self.socket = socket
        // A local socket: answer fast or not at all; the next pass asks again.
        http = HTTPClient(
            configuration: .init(
                connectTimeout: .seconds(2),
                requestTimeout: .seconds(5),
                retryDeadline: .seconds(6),
                maxAttempts: 2,
                unixSocketPath: socket,
                userAgent: "charon-node"
            )
        )
    }

    public func status() async throws -> TailscaleStatus {
        // The status lists every peer: on a large tailnet it is the one big answer, so it gets
        // what `tailscale status --json` through the CLI gets (HostCommand's 16 MiB output limit).
        var request = HTTPRequest(.get, "http://\(Self.host)/localapi/v0/status", maxResponseBytes: 16 << 20)
        request.headers["Host"] = Self.host
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw TailscaleError.localAPI("\(socket): \(error)")
        }
        guard response.isSuccess else {
            throw TailscaleError.localAPI("GET /localapi/v0/status: HTTP \(response.status): \(response.excerpt())")
        }
        return try TailscaleStatus.decode(response.body)
    }
}
