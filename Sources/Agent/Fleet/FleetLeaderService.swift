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
    let logger: Logger

    public init(configuration: FleetAgentConfiguration, clock: any LeaseClock = SystemLeaseClock(), logger: Logger = Logger(label: "charon.fleet")) {
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
        self.logger = logger
    }

    public init(elector: LeaderElector, pass: FleetPass, interval: Duration, logger: Logger = Logger(label: "charon.fleet")) {
        self.elector = elector
        self.pass = pass
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let pass = pass
        let interval = interval
        let clock = elector.clock
        let logger = logger
        try await cancelWhenGracefulShutdown {
            try await elector.run {
                while !Task.isCancelled {
                    let summary = await pass.run()
                    if summary.succeeded {
                        logger.info("\(summary)")
                    } else {
                        logger.warning("\(summary): \(summary.failures.joined(separator: "; "))")
                    }
                    try await clock.sleep(for: interval * Double.random(in: 0.9...1.1))
                }
            }
        }
    }
}
