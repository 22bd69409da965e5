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
        // Port 0: the kernel picks a free port and s_server prints it (`ACCEPT 127.0.0.1:PORT`)
        // once it listens, so there is no port to race other tests for and no sleep to guess.
        let running = try SpawnedProcess(
            "/usr/bin/openssl",
            ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www"],
            environment: [:],
            outputFolder: scratch.path
        )
        defer { running.stop() }
        var port = 0
        let waitLimit = ContinuousClock.now + .seconds(60)
        while port == 0, running.exitStatusIfDone() == nil, ContinuousClock.now < waitLimit {
            if let line = running.standardOutput.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
                let colon = line.lastIndex(of: ":")
            {
                port = Int(line[line.index(after: colon)...]) ?? 0
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        try #require(port > 0, "openssl s_server did not listen: \(running.standardError) \(running.standardOutput)")
        let url = "https://127.0.0.1:\(port)/"
        // s_server listens already; retries only cover a transient refusal.
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
