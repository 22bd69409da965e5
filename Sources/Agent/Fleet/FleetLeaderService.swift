import Fleet
import Kubernetes
import Logging
import ServiceLifecycle

/// The fleet pass as a service of the agent: every agent campaigns for the Lease
/// `charon-node-fleet`; only the leader runs the pass, at once when it starts leading and then
/// every `FLEET_INTERVAL` (±10%). On graceful shutdown the pass in flight is cancelled (a batch
/// is a transaction: abandoning it leaves nothing half-done) and the Lease is released.
///
/// ```swift
/// let service = FleetLeaderService(configuration: fleetAgentConfiguration)
/// try await ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct FleetLeaderService: Service {
    public let elector: LeaderElector
    let pass: FleetPass
    let interval: Duration
    /// Where leadership and passes are reported: `/status` (through the model) and `/metrics`.
    let model: HealthModel?
    let metrics: AgentMetrics?
    let logger: Logger

    public init(
        configuration: FleetAgentConfiguration,
        model: HealthModel? = nil,
        metrics: AgentMetrics? = nil,
        clock: any LeaseClock = SystemLeaseClock(),
        logger: Logger = Logger(label: "charon.fleet")
    ) {
        elector = LeaderElector(
            client: KubernetesClient(configuration: configuration.kubernetes),
            namespace: configuration.namespace,
            name: FleetAgentConfiguration.leaseName,
            identity: configuration.identity,
            timing: configuration.timing,
            clock: clock,
            logger: logger
        )
        pass = FleetPass(configuration: configuration.fleet, logger: logger)
        interval = configuration.fleet.interval
        self.model = model
        self.metrics = metrics
        self.logger = logger
    }

    public init(
        elector: LeaderElector,
        pass: FleetPass,
        interval: Duration,
        model: HealthModel? = nil,
        metrics: AgentMetrics? = nil,
        logger: Logger = Logger(label: "charon.fleet")
    ) {
        self.elector = elector
        self.pass = pass
        self.interval = interval
        self.model = model
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let service = self
        metrics?.fleetLeading(false)
        try await cancelWhenGracefulShutdown {
            try await elector.run {
                service.reportLeading(true)
                defer { service.reportLeading(false) }
                while !Task.isCancelled {
                    try await service.passThenWait()
                }
            }
        }
    }

    /// One pass, its report, then the jittered wait for the next.
    func passThenWait() async throws {
        let started = ContinuousClock.now
        let summary = await pass.run()
        let duration = started.duration(to: .now)
        let line = summary.succeeded ? "\(summary)" : "\(summary): \(summary.failures.joined(separator: "; "))"
        if summary.succeeded { logger.info("\(line)") } else { logger.warning("\(line)") }
        // Pass times on the Lease's clock: the one the tests drive.
        let finished = Timestamp(seconds: elector.clock.now().microseconds / 1_000_000)
        metrics?.fleetPassFinished(summary, duration: duration, at: finished)
        model?.updateFleet { report in
            report.passes += 1
            report.lastPass = finished
            report.lastSucceeded = summary.succeeded
            if summary.succeeded { report.lastSuccess = finished }
            report.lastSummary = line
        }
        try await elector.clock.sleep(for: interval * Double.random(in: 0.9...1.1))
    }

    func reportLeading(_ leading: Bool) {
        metrics?.fleetLeading(leading)
        model?.updateFleet { $0.leader = leading }
    }
}
