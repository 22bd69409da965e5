import CharonSupport
import Kubernetes
import Logging
import ServiceLifecycle

/// The node agent: the reconcile loop, the health model, the status server and the reporters,
/// run together in one `ServiceGroup` that shuts down gracefully on SIGTERM and SIGINT.
///
/// The image reconciler is always there; modules add reconcilers of their own (the internal
/// ingress fills the `tailscale` and `ingress` slots) and checks that only look. A slot nobody
/// fills reads "not configured".
///
/// ```swift
/// let agent = Agent(configuration: configuration, reconcilers: [ingressReconciler])
/// try await agent.run()              // the daemon
/// let snapshot = await agent.runOnce()  // `--once`
/// ```
public struct Agent: Sendable {
    public let configuration: AgentConfiguration
    public let model: HealthModel
    public let metrics: AgentMetrics
    let pass: ReconcilePass
    let logger: Logger

    public init(
        configuration: AgentConfiguration,
        reconcilers extraReconcilers: [any NodeReconciler] = [],
        checks extraChecks: [any HealthCheck] = [],
        logger: Logger = Logger(label: "charon.agent")
    ) {
        self.configuration = configuration
        self.logger = logger
        metrics = AgentMetrics()
        let image = ImageReconciler(
            spec: configuration.spec,
            builderOptions: configuration.builderOptions,
            containerd: configuration.containerd,
            metrics: metrics,
            buildExecutable: configuration.buildExecutable
        )
        let reconcilers: [any NodeReconciler] = [image] + extraReconcilers
        let checks: [any HealthCheck] =
            [DiskCheck(tarball: configuration.builderOptions.output, minimumFreeBytes: configuration.minimumFreeBytes)] + extraChecks

        // Every slot once, in /status order: the well-known ones first, then any others.
        var provided: [String: HealthImpact] = [:]
        for reconciler in reconcilers {
            for name in reconciler.checkNames { provided[name] = reconciler.impact(of: name) }
        }
        for check in checks { provided[check.name] = check.impact }
        var entries: [(name: String, impact: HealthImpact, configured: Bool)] = HealthCheckName.all.map { name in
            (name, provided[name] ?? .degraded, provided[name] != nil)
        }
        let extraNames = reconcilers.flatMap(\.checkNames) + checks.map(\.name)
        for name in extraNames where !entries.contains(where: { $0.name == name }) {
            entries.append((name, provided[name] ?? .degraded, true))
        }
        model = HealthModel(node: configuration.node, checks: entries, fleet: configuration.fleet != nil)
        let unfilled = HealthCheckName.all.filter { provided[$0] == nil }.map { NotConfiguredCheck(name: $0) }
        pass = ReconcilePass(
            reconcilers: reconcilers,
            checks: checks + unfilled,
            model: model,
            metrics: metrics,
            checkTimeout: configuration.checkTimeout,
            logger: logger
        )
    }

    /// One pass and its reports (Node conditions), without the server: `charon-node agent --once`.
    public func runOnce() async -> HealthSnapshot {
        let (snapshot, changed) = await pass.run()
        for observer in observers(systemd: nil) { await observer.healthDidUpdate(snapshot, changed: changed) }
        return snapshot
    }

    /// Runs until SIGTERM or SIGINT, then finishes (or abandons) the pass in flight and returns.
    public func run(onStatusServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let systemd = configuration.systemd.map { SystemdReporter(environment: $0, model: model, stallLimit: configuration.stallLimit) }
        // Last, so that the first pass's reports have run before its pages are handed back.
        let loop = ReconcileLoop(
            pass: pass,
            observers: observers(systemd: systemd) + [StartupPageRelease(metrics: metrics)],
            interval: configuration.interval,
            retryInterval: configuration.retryInterval,
            shutdownGrace: configuration.shutdownGrace,
            logger: logger
        )

        // Shut down in reverse order: the loop first (its pass may still want the server to answer
        // probes while it finishes), the server last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let address = configuration.statusAddress {
            let server = StatusServer(address: address, model: model, metrics: metrics, stallLimit: configuration.stallLimit)
            services.append(.init(service: server.service(onServerRunning: onStatusServerRunning)))
        }
        if let systemd { services.append(.init(service: systemd)) }
        if let fleet = configuration.fleet {
            services.append(.init(service: FleetLeaderService(configuration: fleet, model: model, metrics: metrics, logger: logger)))
        }
        services.append(
            .init(service: loop, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        )

        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A backstop above the pass's own grace: whatever still runs then is cancelled.
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace + .seconds(5)
        logger.notice(
            "charon-node agent \(CharonVersion.current) on node \(configuration.node): spec \(configuration.spec), tarball \(configuration.builderOptions.output), containerd \(configuration.containerd.address) namespace \(configuration.containerd.namespace), every \(configuration.interval)"
        )
        try await ServiceGroup(configuration: group).run()
    }

    func observers(systemd: SystemdReporter?) -> [any HealthObserver] {
        var observers: [any HealthObserver] = []
        if let kubernetes = configuration.kubernetes {
            observers.append(
                NodeConditionReporter(
                    client: KubernetesClient(configuration: kubernetes),
                    node: configuration.node,
                    heartbeat: configuration.conditionHeartbeat,
                    metrics: metrics
                )
            )
        }
        if let systemd { observers.append(systemd) }
        return observers
    }
}
