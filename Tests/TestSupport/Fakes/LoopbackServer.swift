import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request as a fake saw it: method, path, query, headers (names lower-cased) and body.
public struct FakeRequest: Sendable {
    public var method: String
    public var path: String
    /// Query parameters, percent-decoded; a name given twice keeps the last value.
    public var query: [String: String]
    public var headers: [String: String]
    public var body: [UInt8]
    /// Wall-clock arrival time, nanoseconds since the epoch (comparable across processes).
    public var receivedAt: Int64 = 0

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// `METHOD /path`, for asserting call sequences.
    public var line: String { "\(method) \(path)" }
}

/// What a fake answers: status, headers, body, and an optional delay before answering.
public struct FakeResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var delay: Duration?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    public static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "text/plain")] + headers, body: Array(text.utf8))
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 (Hummingbird), answering every request with a closure and
/// logging what it received.
///
/// ```swift
/// try await withFake(try await LoopbackServer.start { request in .json(200, "{}") }) { server in
///     let url = server.baseURL + "/api/v1/node"
/// }
/// ```
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (FakeRequest) async -> FakeResponse

    /// The port the kernel gave the listening socket.
    public let port: Int
    private let task: Task<Void, any Error>
    private let log = Mutex<[FakeRequest]>([])

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, oldest first.
    public var requests: [FakeRequest] { log.withLock { $0 } }

    public func clearLog() { log.withLock { $0.removeAll() } }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Starts listening on `port` (0: any free port) and returns once the socket is bound.
    /// With `unixSocketPath`, listens on that unix socket instead (``port`` is then -1).
    public static func start(port: Int = 0, unixSocketPath: String? = nil, handler: @escaping Handler) async throws -> LoopbackServer {
        let recorder = Recorder()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            // HTTPTypes moves Host into the :authority pseudo-header.
            if let authority = request.head.authority { headers["host"] = authority }
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var fake = FakeRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                query: query,
                headers: headers,
                body: Array(buffer: body)
            )
            fake.receivedAt = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            await recorder.server?.record(fake)
            let answer = await handler(fake)
            if let delay = answer.delay { try? await Task.sleep(for: delay) }
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
            )
        }
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: unixSocketPath.map { .unixDomainSocket(path: $0) } ?? .hostname("127.0.0.1", port: port)
            ),
            onServerRunning: { channel in
                portContinuation.yield(unixSocketPath == nil ? channel.localAddress?.port ?? 0 : -1)
                portContinuation.finish()
            },
            logger: Logger(label: "fake", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let task = Task {
            // If binding fails, run() throws before onServerRunning: end the stream so start() hears it.
            defer { portContinuation.finish() }
            try await app.run()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let bound = await iterator.next(), bound != 0 else {
            task.cancel()
            let reason: String =
                switch await task.result {
                case .failure(let error): "\(error)"
                case .success: "it stopped at once"
                }
            throw FakeServerError(message: "the fake server did not start on port \(port): \(reason)")
        }
        let server = LoopbackServer(port: bound, task: task)
        await recorder.set(server)
        return server
    }

    fileprivate func record(_ request: FakeRequest) {
        log.withLock { $0.append(request) }
    }

    /// Stops listening and waits until the socket is closed.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// The fake could not start.
public struct FakeServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Lets the responder closure, created before the server object, reach it.
private actor Recorder {
    var server: LoopbackServer?
    func set(_ server: LoopbackServer) { self.server = server }
}
