import CharonSupport
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The status endpoint: `/healthz`, `/readyz`, `/status`, `/metrics`, all answered from the health
/// model and the metrics registry as the last pass left them. No request runs a check.
///
/// | path | 200 when | body |
/// |---|---|---|
/// | `/healthz` | the process runs and no pass is stuck | `ok` |
/// | `/readyz` | the lifecycle image is imported with the expected digest and pinned | `ready` / why not |
/// | `/status` | the caller is on loopback | JSON, see ``StatusDocument``; 403 from elsewhere |
/// | `/metrics` | always | Prometheus text format 0.0.4 |
///
/// In a host-network pod the server listens on the node's LAN addresses too, so kubelet's probes
/// and Prometheus reach it. `/status` carries details the LAN has no business reading (tailnet
/// addresses, key expiry, URLs, error text): it answers loopback callers only — `charon-node
/// status` on the node, or `kubectl exec`. Probes and `/metrics` (every check's state as numbers)
/// work from anywhere.
///
/// HTTP/1.1 straight on SwiftNIO (one event-loop thread, keep-alive, pipelining): four fixed
/// answers need no web framework, and one would bring Foundation with its ICU data into the
/// agent's pages (docs/agent.md, memory).
///
/// ```swift
/// let server = StatusServer(address: StatusAddress(host: "127.0.0.1", port: 9102), model: model, metrics: metrics)
/// let service = server.service()  // run it in the agent's ServiceGroup
/// ```
public struct StatusServer: Sendable {
    public var address: StatusAddress
    public var model: HealthModel
    public var metrics: AgentMetrics
    public var stallLimit: Duration
    public var logger: Logger

    public init(
        address: StatusAddress,
        model: HealthModel,
        metrics: AgentMetrics,
        stallLimit: Duration = .seconds(600),
        logger: Logger = Logger(label: "charon.agent.status")
    ) {
        self.address = address
        self.model = model
        self.metrics = metrics
        self.stallLimit = stallLimit
        self.logger = logger
    }

    /// The answer to one request: `path` may carry a query, which is ignored.
    public func answer(method: HTTPMethod, path: String, fromLoopback: Bool) -> (status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        let route = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        guard ["/healthz", "/readyz", "/status", "/metrics"].contains(route) else {
            return (.notFound, HTTPHeaders(), ByteBuffer())
        }
        guard method == .GET || method == .HEAD else {
            return (.methodNotAllowed, HTTPHeaders([("Allow", "GET, HEAD")]), ByteBuffer())
        }
        switch route {
        case "/healthz":
            return model.isAlive(stallLimit: stallLimit)
                ? Self.text(.ok, "ok\n")
                : Self.text(.serviceUnavailable, "the reconcile loop has been stuck in one pass for over \(stallLimit)\n")
        case "/readyz":
            let snapshot = model.snapshot
            if snapshot.ready { return Self.text(.ok, "ready\n") }
            let why = snapshot[HealthCheckName.image]?.result.message ?? "the lifecycle image is not in place yet"
            return Self.text(.serviceUnavailable, "not ready: \(why)\n")
        case "/status":
            guard fromLoopback else {
                return Self.text(.forbidden, "/status is served to loopback only: run `charon-node status` on the node\n")
            }
            return (.ok, HTTPHeaders([("Content-Type", "application/json"), ("Cache-Control", "no-store")]), model.statusBody)
        default:
            return (.ok, HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]), ByteBuffer(bytes: metrics.exposition()))
        }
    }

    /// The server as a `Service` for the agent's `ServiceGroup`; fails with a ``StatusServerError``
    /// that names the address (NIO's own bind error does not). `onServerRunning` gets the bound port.
    public func service(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        StatusService(server: self, onServerRunning: onServerRunning)
    }

    static func text(_ status: HTTPResponseStatus, _ body: String) -> (status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        (status, HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), ByteBuffer(string: body))
    }
}

private struct StatusService: Service {
    let server: StatusServer
    let onServerRunning: @Sendable (Int) async -> Void

    func run() async throws {
        let address = server.address
        // One thread: the answers are prepared by the reconcile loop, a request only copies them.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel: any Channel
        do {
            let server = server
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(StatusHTTPHandler(server: server))
                    }
                }
                .bind(host: address.host, port: address.port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw StatusServerError(address: address, reason: "\(error)")
        }
        let port = channel.localAddress?.port ?? 0
        server.logger.notice("status endpoint listening on \(StatusAddress(host: address.host, port: port)): /healthz /readyz /status /metrics")
        await onServerRunning(port)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        try? await group.shutdownGracefully()
    }
}

/// Answers each request of one connection in order (NIO's pipelining handler queues the rest).
private final class StatusHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: StatusServer
    var head: HTTPRequestHead?

    init(server: StatusServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break  // no endpoint reads a body
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let peer = context.channel.remoteAddress?.ipAddress
        let fromLoopback = peer.map { Loopback.isHost($0.lowercased()) } ?? false
        let answer = server.answer(method: head.method, path: head.uri, fromLoopback: fromLoopback)
        var headers = answer.headers
        headers.add(name: "Content-Length", value: "\(answer.body.readableBytes)")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: answer.status, headers: headers))), promise: nil)
        if head.method != .HEAD, answer.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(answer.body))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
