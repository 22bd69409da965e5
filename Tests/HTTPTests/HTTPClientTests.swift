import Glibc
import HTTP
import Synchronization
import TestSupport
import Testing

/// The libcurl client against real loopback servers: bodies, headers, retries, timeouts,
/// cancellation, unix sockets.
@Suite("HTTP client", .timeLimit(.minutes(2)))
struct HTTPClientTests {
    /// Fast backoff so retry tests take milliseconds, not seconds.
    static let quick = HTTPClient.Configuration(
        // Per attempt: far above what a loopback answer takes on a loaded machine (an attempt that
        // timed out would be retried and change the counts the tests assert).
        connectTimeout: .seconds(10),
        requestTimeout: .seconds(30),
        retryDeadline: .seconds(10),
        maxAttempts: 4,
        initialBackoff: .milliseconds(20),
        maxBackoff: .milliseconds(100)
    )

    @Test("GET returns status, headers and body; request headers arrive")
    func get() async throws {
        let server = try await LoopbackServer.start { request in
            .json(200, #"{"path":"\#(request.path)","q":"\#(request.query["name"] ?? "")"}"#, headers: [("X-Answer", "42")])
        }
        try await withFake(server) { server in
            let client = HTTPClient(configuration: Self.quick)
            var request = HTTPRequest(.get, server.baseURL + "/api/v1/user?name=ops")
            request.headers["Authorization"] = "Bearer secret-token"
            let response = try await client.send(request)
            #expect(response.status == 200)
            #expect(response.headers["x-answer"] == "42")
            #expect(response.text == #"{"path":"/api/v1/user","q":"ops"}"#)
            #expect(server.requests.first?.headers["authorization"] == "Bearer secret-token")
        }
    }

    @Test("a large POST body streams through the read callback intact")
    func postBody() async throws {
        let server = try await LoopbackServer.start { request in
            .text(200, "\(request.body.count) \(request.body.reduce(0) { ($0 &* 31) &+ Int($1) })")
        }
        try await withFake(server) { server in
            let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let expected = "\(body.count) \(body.reduce(0) { ($0 &* 31) &+ Int($1) })"
            let client = HTTPClient(configuration: Self.quick)
            for method in [HTTPMethod.post, .patch, .put] {
                let response = try await client.send(HTTPRequest(method, server.baseURL + "/upload", body: body))
                #expect(response.text == expected)
            }
            #expect(server.requests.map(\.method) == ["POST", "PATCH", "PUT"])
        }
    }

    @Test("DELETE without a body sends DELETE")
    func delete() async throws {
        let server = try await LoopbackServer.start { _ in .json(200, "{}") }
        try await withFake(server) { server in
            _ = try await HTTPClient(configuration: Self.quick).send(HTTPRequest(.delete, server.baseURL + "/api/v1/node/7"))
            #expect(server.requests.map(\.line) == ["DELETE /api/v1/node/7"])
        }
    }

    @Test("5xx is retried for idempotent requests until it succeeds")
    func retriesServerErrors() async throws {
        let count = Mutex(0)
        let server = try await LoopbackServer.start { _ in
            count.withLock {
                $0 += 1
                return $0
            } < 3 ? .text(503, "busy") : .json(200, "{}")
        }
        try await withFake(server) { server in
            let response = try await HTTPClient(configuration: Self.quick).send(HTTPRequest(.get, server.baseURL + "/x"))
            #expect(response.status == 200)
            #expect(server.requests.count == 3)
        }
    }

    @Test("a POST answered 500 is not repeated: it may have been processed")
    func postNotRetriedOnServerError() async throws {
        let server = try await LoopbackServer.start { _ in .text(500, "oops") }
        try await withFake(server) { server in
            let response = try await HTTPClient(configuration: Self.quick).send(HTTPRequest(.post, server.baseURL + "/create", body: [1]))
            #expect(response.status == 500)
            #expect(server.requests.count == 1)
        }
    }

    @Test("429 is retried after Retry-After, even for POST")
    func honoursRetryAfter() async throws {
        let count = Mutex(0)
        let server = try await LoopbackServer.start { _ in
            count.withLock {
                $0 += 1
                return $0
            } == 1 ? .json(429, "{}", headers: [("Retry-After", "1")]) : .json(200, "{}")
        }
        try await withFake(server) { server in
            let clock = ManualClock(skipping: true)
            let response = try await HTTPClient(configuration: Self.quick, clock: clock).send(
                HTTPRequest(.post, server.baseURL + "/create", body: [1])
            )
            #expect(response.status == 200)
            #expect(server.requests.count == 2)
            #expect(clock.sleeps == [.seconds(1)], "one wait, as long as Retry-After asked for")
        }
    }

    @Test("a Retry-After beyond the deadline returns the 429 instead of waiting")
    func retryAfterBeyondDeadline() async throws {
        let server = try await LoopbackServer.start { _ in .json(429, "{}", headers: [("Retry-After", "3600")]) }
        try await withFake(server) { server in
            let clock = ManualClock(skipping: true)
            let response = try await HTTPClient(configuration: Self.quick, clock: clock).send(HTTPRequest(.get, server.baseURL + "/x"))
            #expect(response.status == 429)
            #expect(server.requests.count == 1)
            #expect(clock.sleeps.isEmpty, "the hour Retry-After asked for is past the 10 s deadline: no wait at all")
        }
    }

    @Test("Retry-After parses seconds and HTTP dates")
    func retryAfterParsing() {
        #expect(RetryAfter.delay(from: "7") == .seconds(7))
        #expect(RetryAfter.delay(from: nil) == nil)
        #expect(RetryAfter.delay(from: "soon") == nil)
        // 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT.
        #expect(RetryAfter.delay(from: "Wed, 21 Oct 2015 07:28:00 GMT", now: 1_445_412_470) == .seconds(10))
        #expect(RetryAfter.delay(from: "Wed, 21 Oct 2015 07:28:00 GMT", now: 1_445_412_490) == .seconds(0))
        // Capped at 10 minutes: a bad header cannot park a sidecar for days.
        #expect(RetryAfter.delay(from: "600") == .seconds(600))
        #expect(RetryAfter.delay(from: "601") == RetryAfter.maximum)
        #expect(RetryAfter.delay(from: "864000") == .seconds(600))
        #expect(RetryAfter.delay(from: "99999999999999999999999") == .seconds(600))
        #expect(RetryAfter.delay(from: "Wed, 21 Oct 2015 07:28:00 GMT", now: 1_445_000_000) == .seconds(600))
        #expect(RetryAfter.delay(from: "-5") == nil)
    }

    @Test("connection refused is retried until the server comes up")
    func retriesConnectErrors() async throws {
        // A unix socket that does not exist yet: connecting fails until the server binds it, with
        // no TCP port another test could take in between.
        // The client's clock is manual: it is refused, goes to sleep, and only then does the server
        // start and the clock move on.
        let scratch = try TemporaryDirectory(prefix: "late")
        let socket = scratch.path + "/late.sock"
        var configuration = Self.quick
        configuration.maxAttempts = 20
        configuration.unixSocketPath = socket
        let clock = ManualClock()
        let client = HTTPClient(configuration: configuration, clock: clock)
        let sending = Task { try await client.send(HTTPRequest(.post, "http://localhost/x", body: [1])) }
        await clock.waitForSleeps(1)
        let late = try await LoopbackServer.start(unixSocketPath: socket) { _ in .json(200, #"{"late":true}"#) }
        try await withFake(late) { late in
            clock.advance(by: .seconds(1))
            let response = try await sending.value
            #expect(response.text == #"{"late":true}"#)
            #expect(clock.sleeps.count == 1, "refused once, then answered")
            #expect(late.requests.count == 1)
        }
    }

    @Test("connection refused past the deadline fails with a message naming the request")
    func connectFailure() async throws {
        let reserved = try FreePort()
        let port = reserved.port
        var configuration = Self.quick
        // Long enough for several refused attempts (20-100 ms apart) even on a loaded 2-core CI
        // machine, short enough that giving up at the deadline is what ends the call.
        configuration.retryDeadline = .seconds(2)
        configuration.maxAttempts = 1_000
        // Backoff is counted on a skipping clock: 20-100 ms waits fill the 2 s deadline in 20 to
        // 100 attempts, however fast the refusals come.
        let clock = ManualClock(skipping: true)
        let error = await #expect(throws: HTTPError.self) {
            _ = try await HTTPClient(configuration: configuration, clock: clock).send(
                HTTPRequest(.get, "http://127.0.0.1:\(port)/api/v1/node?user=x")
            )
        }
        #expect(error?.description.hasPrefix("GET http://127.0.0.1:\(port)/api/v1/node: ") == true)
        let attempts = error?.attempts ?? 0
        #expect(attempts >= 20 && attempts <= 101, "\(attempts) attempts")
        #expect(clock.sleeps.count == attempts - 1)
        #expect(clock.elapsed < .seconds(2), "gave up before the deadline rather than sleep past it")
        withExtendedLifetime(reserved) {}
    }

    @Test("a slow answer hits the per-attempt timeout")
    func timeout() async throws {
        let server = try await LoopbackServer.start { _ in FakeResponse(status: 200, delay: .seconds(120)) }
        try await withFake(server) { server in
            var configuration = Self.quick
            configuration.maxAttempts = 1
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: HTTPError.self) {
                _ = try await HTTPClient(configuration: configuration).send(HTTPRequest(.get, server.baseURL + "/slow", timeout: .milliseconds(300)))
            }
            #expect(clock.now - start < .seconds(60), "the 300 ms timeout, not the 120 s answer, ended the call")
        }
    }

    @Test("cancelling the task aborts the transfer promptly")
    func cancellation() async throws {
        let server = try await LoopbackServer.start { _ in FakeResponse(status: 200, delay: .seconds(120)) }
        try await withFake(server) { server in
            let client = HTTPClient(configuration: Self.quick)
            let clock = ContinuousClock()
            let start = clock.now
            let task = Task { try await client.send(HTTPRequest(.get, server.baseURL + "/slow")) }
            // Cancel while the transfer is under way: once the server has the request.
            while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            task.cancel()
            let result = await task.result
            #expect(clock.now - start < .seconds(60), "cancelled, not waiting for the 120 s answer")
            guard case .failure(let error as HTTPError) = result else {
                Issue.record("expected a cancelled HTTPError, got \(result)")
                return
            }
            #expect(error.kind == .cancelled)
        }
    }

    @Test("requests go over a unix socket, by configuration or by http+unix URL")
    func unixSocket() async throws {
        let scratch = try TemporaryDirectory(prefix: "http-unix")
        let socket = scratch.path + "/api.sock"
        let server = try await LoopbackServer.start(unixSocketPath: socket) { request in .json(200, #"{"host":"\#(request.headers["host"] ?? "")"}"#)
        }
        try await withFake(server) { server in
            var configuration = Self.quick
            configuration.unixSocketPath = socket
            let viaConfiguration = try await HTTPClient(configuration: configuration).send(
                HTTPRequest(.get, "http://local-tailscaled.sock/localapi/v0/status")
            )
            #expect(viaConfiguration.text == #"{"host":"local-tailscaled.sock"}"#)
            let encoded = socket.replacingSlashes()
            let viaURL = try await HTTPClient(configuration: Self.quick).send(HTTPRequest(.get, "http+unix://\(encoded)/status"))
            #expect(viaURL.status == 200)
            #expect(server.requests.map(\.path) == ["/localapi/v0/status", "/status"])
        }
    }

    @Test("Authorization and cookies are redacted from loggable headers")
    func redaction() {
        var headers = HTTPHeaders()
        headers["Authorization"] = "Bearer hskey-api-SECRET"
        headers["Content-Type"] = "application/json"
        headers.add("Cookie", "session=SECRET")
        #expect(!headers.redactedDescription.contains("SECRET"))
        #expect(headers.redactedDescription.contains("Authorization: <redacted>"))
        #expect(headers.redactedDescription.contains("Content-Type: application/json"))
    }
}

extension String {
    /// Percent-encodes `/` for an `http+unix://` authority.
    fileprivate func replacingSlashes() -> String {
        split(separator: "/", omittingEmptySubsequences: false).joined(separator: "%2F")
    }
}
