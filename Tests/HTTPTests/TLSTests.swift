import Glibc
import HTTP
import HostCommand
import TestSupport
import Testing

/// TLS verification against a real TLS server (`openssl s_server`) with a throw-away CA.
@Suite("HTTP client TLS")
struct TLSTests {
    @Test("a server is trusted with the configured CA file and refused without it, at once")
    func verification() async throws {
        let scratch = try TemporaryDirectory(prefix: "tls")
        let key = scratch.path + "/key.pem"
        let certificate = scratch.path + "/cert.pem"
        try await HostCommand(executable: "/usr/bin/openssl").check([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ])
        // s_server picks no port for us: try random high ports until one binds.
        var server: SpawnedProcess?
        var port = 0
        for _ in 0..<10 {
            port = Int.random(in: 20_000...30_000)
            let candidate = try SpawnedProcess(
                "/usr/bin/openssl",
                ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet"],
                environment: [:],
                outputFolder: scratch.path
            )
            try await Task.sleep(for: .milliseconds(300))
            if candidate.exitStatusIfDone() == nil {
                server = candidate
                break
            }
        }
        let running = try #require(server, "openssl s_server found no free port")
        defer {
            running.signal(SIGKILL)
            Task { _ = try? await running.wait(timeout: .seconds(5)) }
        }
        let url = "https://127.0.0.1:\(port)/"
        // s_server may take a while to listen on a loaded machine: retry connecting for up to 20 s.
        var trusting = HTTPClient.Configuration(
            retryDeadline: .seconds(20),
            maxAttempts: 1000,
            initialBackoff: .milliseconds(20),
            maxBackoff: .milliseconds(100)
        )
        trusting.caFile = certificate
        let response: HTTPResponse
        do {
            response = try await HTTPClient(configuration: trusting).send(HTTPRequest(.get, url))
        } catch {
            Issue.record("openssl s_server did not answer: \(running.standardError) \(running.standardOutput)")
            throw error
        }
        #expect(response.status == 200)

        // The system bundle does not know this CA: a certificate failure, not retried.
        var system = HTTPClient.Configuration(retryDeadline: .seconds(10), maxAttempts: 5, initialBackoff: .milliseconds(20))
        system.caFile = "/etc/ssl/certs/ca-certificates.crt"
        let error = await #expect(throws: HTTPError.self) {
            _ = try await HTTPClient(configuration: system).send(HTTPRequest(.get, url))
        }
        #expect(error?.attempts == 1)
        #expect(error?.isTransient == false)
        #expect(error?.reason.lowercased().contains("certificate") == true, "\(error?.reason ?? "")")
    }
}
