import Agent
import CharonSupport
import HTTP
import NIOHTTP1
import Testing

@Suite("status server on NIO: endpoints, headers, status codes")
struct StatusServerTests {
    static func model() -> HealthModel {
        HealthModel(node: "node1", checks: [("containerd", .unhealthy, true), ("image", .unhealthy, true)])
    }

    /// Runs the server on a free loopback port for `body`, then cancels it.
    static func serving(_ server: StatusServer, _ body: (String) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.service { continuation.yield($0) }.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body("http://127.0.0.1:\(port)")
        } catch {
            task.cancel()
            throw error
        }
        task.cancel()
        _ = await task.result
    }

    @Test func answersTheFourEndpointsWithTheirHeaders() async throws {
        let model = Self.model()
        let server = StatusServer(address: StatusAddress(host: "127.0.0.1", port: 0), model: model, metrics: AgentMetrics())
        let http = HTTPClient(
            configuration: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(5), retryDeadline: .seconds(5), maxAttempts: 1)
        )
        try await Self.serving(server) { url in
            let health = try await http.send(HTTPRequest(.get, url + "/healthz"))
            #expect(health.status == 200)
            #expect(health.text == "ok\n")
            #expect(health.headers["content-type"] == "text/plain; charset=utf-8")

            let ready = try await http.send(HTTPRequest(.get, url + "/readyz"))
            #expect(ready.status == 503)
            #expect(ready.text.hasPrefix("not ready: "))

            let status = try await http.send(HTTPRequest(.get, url + "/status?verbose=1"))
            #expect(status.status == 200, "loopback callers get the details; a query is ignored")
            #expect(status.headers["content-type"] == "application/json")
            #expect(status.headers["cache-control"] == "no-store")
            #expect(try StatusDocument.decode(status.body).node == "node1")

            let metrics = try await http.send(HTTPRequest(.get, url + "/metrics"))
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")

            #expect(try await http.send(HTTPRequest(.get, url + "/nowhere")).status == 404)
            let post = try await http.send(HTTPRequest(.post, url + "/healthz"))
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            let head = try await http.send(HTTPRequest(.head, url + "/healthz"))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func statusIsRefusedOffLoopback() {
        let server = StatusServer(address: StatusAddress(host: "127.0.0.1", port: 0), model: Self.model(), metrics: AgentMetrics())
        let answer = server.answer(method: .GET, path: "/status", fromLoopback: false)
        #expect(answer.status == .forbidden)
        #expect(String(buffer: answer.body).contains("loopback only"))
        #expect(server.answer(method: .GET, path: "/metrics", fromLoopback: false).status == .ok, "probes and metrics work from anywhere")
    }

    @Test func aTakenPortNamesTheAddress() async throws {
        let model = Self.model()
        let first = StatusServer(address: StatusAddress(host: "127.0.0.1", port: 0), model: model, metrics: AgentMetrics())
        try await Self.serving(first) { url in
            let port = try #require(Int(url.split(separator: ":").last ?? ""))
            let second = StatusServer(address: StatusAddress(host: "127.0.0.1", port: port), model: model, metrics: AgentMetrics())
            await #expect(throws: StatusServerError.self) { try await second.service().run() }
        }
    }
}
