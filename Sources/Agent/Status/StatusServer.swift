import CharonSupport
import Hummingbird
import Logging
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
/// ```swift
/// let server = StatusServer(address: StatusAddress(host: "127.0.0.1", port: 9102), model: model, metrics: metrics)
/// let application = server.application()  // a Service: run it in the agent's ServiceGroup
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

    public func router() -> Router<StatusRequestContext> {
        let router = Router(context: StatusRequestContext.self)
        let model = model
        let metrics = metrics
        let stallLimit = stallLimit
        router.get("/healthz") { _, _ -> Response in
            model.isAlive(stallLimit: stallLimit)
                ? Self.text(.ok, "ok\n")
                : Self.text(.serviceUnavailable, "the reconcile loop has been stuck in one pass for over \(stallLimit)\n")
        }
        router.get("/readyz") { _, _ -> Response in
            let snapshot = model.snapshot
            if snapshot.ready { return Self.text(.ok, "ready\n") }
            let why = snapshot[HealthCheckName.image]?.result.message ?? "the lifecycle image is not in place yet"
            return Self.text(.serviceUnavailable, "not ready: \(why)\n")
        }
        router.get("/status") { _, context -> Response in
            guard context.isFromLoopback else {
                return Self.text(.forbidden, "/status is served to loopback only: run `charon-node status` on the node\n")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: model.statusBody)
            )
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
            )
        }
        return router
    }

    /// The server as a `Service` for the agent's `ServiceGroup`; fails with a ``StatusServerError``
    /// that names the address (NIO's own bind error does not).
    public func service(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        StatusService(application: application(onServerRunning: onServerRunning), address: address)
    }

    /// The Hummingbird application.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let logger = logger
        return Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.notice("status endpoint listening on \(StatusAddress(host: address.host, port: port)): /healthz /readyz /status /metrics")
                await onServerRunning(port)
            },
            logger: logger
        )
    }

    struct StatusService<Wrapped: ApplicationProtocol>: Service {
        let application: Wrapped
        let address: StatusAddress

        func run() async throws {
            do {
                try await application.run()
            } catch {
                throw StatusServerError(address: address, reason: "\(error)")
            }
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
