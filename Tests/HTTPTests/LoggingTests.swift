import HTTP
import Logging
import Synchronization
import TestSupport
import Testing

/// What the client logs, at the most verbose level, never includes a credential.
@Suite("HTTP client logging")
struct LoggingTests {
    /// Collects every message and its metadata.
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])
    }

    struct CapturingHandler: LogHandler {
        let capture: Capture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
        }
    }

    @Test("trace logs show headers with Authorization redacted, and retries name no secret")
    func noSecretsInLogs() async throws {
        let capture = Capture()
        let logger = Logger(label: "test") { _ in CapturingHandler(capture: capture) }
        let count = Mutex(0)
        let server = try await LoopbackServer.start { _ in
            count.withLock {
                $0 += 1
                return $0
            } == 1 ? .text(503, "busy") : .json(200, "{}")
        }
        try await withFake(server) { server in
            let client = HTTPClient(configuration: .init(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20)), logger: logger)
            var request = HTTPRequest(.get, server.baseURL + "/api/v1/node?user=services")
            request.headers["Authorization"] = "Bearer hskey-api-VERYSECRET"
            _ = try await client.send(request)
        }
        let lines = capture.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("Authorization: <redacted>") })
        #expect(lines.contains { $0.contains("HTTP 503") })
        #expect(!lines.contains { $0.contains("VERYSECRET") })
    }
}
