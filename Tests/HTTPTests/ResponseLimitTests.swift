import Glibc
import HTTP
import TestSupport
import Testing

/// The cap on response bodies against servers that send too much: an endless body, a lying or
/// honest `Content-Length` over the cap, a gzip bomb, and a slow drip that only the deadline ends.
@Suite("HTTP client response limit", .timeLimit(.minutes(2)))
struct ResponseLimitTests {
    static let mebibyte = 1 << 20

    /// Generous timeouts: only the cap (or, for the drip, the request timeout) may end a transfer.
    static func client(limit: Int = 1 << 20, timeout: Duration = .seconds(60)) -> HTTPClient {
        HTTPClient(
            configuration: .init(
                connectTimeout: .seconds(10),
                requestTimeout: timeout,
                retryDeadline: .seconds(300),
                maxAttempts: 3,
                maxResponseBytes: limit
            ),
            clock: ManualClock(skipping: true)
        )
    }

    static let okHead = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"

    static func tooLarge(_ error: HTTPError?) -> Int? {
        guard case .responseTooLarge(let limit)? = error?.kind else { return nil }
        return limit
    }

    @Test("an endless body ends the transfer as soon as it passes the cap, with host, path and limit in the error")
    func endlessBody() async throws {
        let server = try RawHTTPServer.start { connection in
            guard connection.write(Self.okHead + "\r\n") else { return }
            let chunk = [UInt8](repeating: 0x61, count: 65_536)
            while connection.write(chunk) {}
        }
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) {
            _ = try await Self.client().send(HTTPRequest(.get, server.baseURL + "/api/v1/user?name=ops"))
        }
        #expect(Self.tooLarge(error) == Self.mebibyte)
        #expect(error?.description == "GET \(server.baseURL)/api/v1/user: response body over the 1 MiB limit; transfer stopped")
        #expect(error?.attempts == 1, "the same server would send the same body: not retried")
        // Stopped at once: what was sent is the cap plus what the loopback socket buffers held,
        // not the gigabytes an endless body reaches in the minute before the timeout.
        #expect(server.bytesSent < 64 * Self.mebibyte, "\(server.bytesSent) bytes sent")
    }

    @Test("a Content-Length over the cap is refused before a byte of the body is read")
    func announcedTooLarge() async throws {
        let server = try RawHTTPServer.start { connection in
            // Announces 8 GiB and sends nothing more: a client waiting for the body would time out.
            _ = connection.write(Self.okHead + "Content-Length: 8589934592\r\n\r\n")
            connection.waitUntilClosed()
        }
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) {
            _ = try await Self.client(limit: 4 * Self.mebibyte).send(HTTPRequest(.get, server.baseURL + "/api/v1/node"))
        }
        #expect(Self.tooLarge(error) == 4 * Self.mebibyte)
        #expect(
            error?.description
                == "GET \(server.baseURL)/api/v1/node: response body over the 4 MiB limit (Content-Length 8589934592); refused before reading"
        )
    }

    @Test(
        "a body exactly at the cap arrives whole; one byte more fails, announced or not",
        arguments: [true, false]
    )
    func atAndJustOverTheCap(announced: Bool) async throws {
        let limit = 256 * 1024
        let server = try RawHTTPServer.start { connection in
            let size = connection.requestHead.hasPrefix("GET /over ") ? limit + 1 : limit
            let length = announced ? "Content-Length: \(size)\r\n" : ""
            guard connection.write(Self.okHead + length + "\r\n") else { return }
            connection.write([UInt8](repeating: 0x62, count: size))
        }
        defer { server.stop() }
        let client = Self.client(limit: limit)
        let response = try await client.send(HTTPRequest(.get, server.baseURL + "/at"))
        #expect(response.body.count == limit)
        #expect(response.body.allSatisfy { $0 == 0x62 })
        let error = await #expect(throws: HTTPError.self) {
            _ = try await client.send(HTTPRequest(.get, server.baseURL + "/over"))
        }
        #expect(Self.tooLarge(error) == limit)
        #expect(error?.description.contains(announced ? "(Content-Length \(limit + 1)); refused before reading" : "; transfer stopped") == true)
        // A request may raise its own cap (a list that can be large).
        let larger = try await client.send(HTTPRequest(.get, server.baseURL + "/over", maxResponseBytes: limit + 1))
        #expect(larger.body.count == limit + 1)
    }

    @Test("a HEAD answer's Content-Length announces no body: not refused")
    func headIsNotRefused() async throws {
        let server = try RawHTTPServer.start { connection in
            _ = connection.write(Self.okHead + "Content-Length: 8589934592\r\n\r\n")
        }
        defer { server.stop() }
        let response = try await Self.client().send(HTTPRequest(.head, server.baseURL + "/big"))
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == "8589934592")
    }

    @Test("the gzip bomb generator is valid gzip: libcurl inflates a small one whole")
    func smallBombInflates() async throws {
        #expect(GzipBomb.crc32OfZeros(count: 0) == 0)
        #expect(GzipBomb.crc32OfZeros(count: 1) == 0xd202_ef8d)
        #expect(GzipBomb.crc32OfZeros(count: 258_001) == 0xa3c7_52d4)
        let bomb = GzipBomb(matches: 8_000)  // 2,001 bytes of deflate, 2,064,001 inflated
        let body = bomb.gzip
        let server = try RawHTTPServer.start { connection in
            guard connection.write(Self.okHead + "Content-Encoding: gzip\r\nContent-Length: \(body.count)\r\n\r\n") else { return }
            connection.write(body)
        }
        defer { server.stop() }
        let response = try await Self.client(limit: 4 * Self.mebibyte).send(HTTPRequest(.get, server.baseURL + "/small"))
        #expect(body.count < 2_100)
        #expect(response.body.count == bomb.inflatedSize)
        #expect(response.body.allSatisfy { $0 == 0 })
    }

    @Test("a 1 MB gzip body that inflates to 1 GiB stops at the cap on its decoded size")
    func gzipBomb() async throws {
        let bomb = GzipBomb(matches: 4_161_790)
        #expect(bomb.inflatedSize > 1_073_000_000)
        let body = bomb.gzip
        #expect(body.count < 1_100_000)
        let server = try RawHTTPServer.start { connection in
            guard connection.write(Self.okHead + "Content-Encoding: gzip\r\nContent-Length: \(body.count)\r\n\r\n") else { return }
            connection.write(body)
        }
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) {
            _ = try await Self.client(limit: 4 * Self.mebibyte).send(HTTPRequest(.get, server.baseURL + "/api/v1/user"))
        }
        #expect(Self.tooLarge(error) == 4 * Self.mebibyte, "\(String(describing: error))")
        #expect(error?.description.contains("/api/v1/user: response body over the 4 MiB limit; transfer stopped") == true)
    }

    @Test("a slow drip under the cap is ended by the request timeout")
    func slowDrip() async throws {
        let server = try RawHTTPServer.start { connection in
            guard connection.write(Self.okHead + "\r\n") else { return }
            // One byte every 50 ms for as long as the client listens: never done, never big.
            while connection.write([0x63]) { usleep(50_000) }
        }
        defer { server.stop() }
        var configuration = HTTPClient.Configuration(requestTimeout: .seconds(1), retryDeadline: .seconds(1), maxAttempts: 1)
        configuration.maxResponseBytes = Self.mebibyte
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: HTTPError.self) {
            _ = try await HTTPClient(configuration: configuration).send(HTTPRequest(.get, server.baseURL + "/drip"))
        }
        #expect(error?.kind == .transport(code: 28), "CURLE_OPERATION_TIMEDOUT, not the cap: \(String(describing: error))")
        #expect(clock.now - started < .seconds(60), "the 1 s deadline ended an endless drip")
    }
}
