import CharonSupport
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps systemd informed on a host: `READY=1` after the first pass that leaves the image in place,
/// `STATUS=` with the one-line summary after every pass, and, as a service, `WATCHDOG=1` at half of
/// `WATCHDOG_USEC` for as long as the reconcile loop is not stuck (a wedged loop stops the pings
/// and systemd restarts the unit).
///
/// ```swift
/// let reporter = SystemdReporter(environment: systemd, model: model, stallLimit: .seconds(600))
/// // an observer of the reconcile loop, and a service in the agent's ServiceGroup
/// ```
public final class SystemdReporter: HealthObserver, Service {
    public let environment: SystemdEnvironment
    let notifier: SystemdNotifier
    let model: HealthModel
    let stallLimit: Duration
    let clock: any CharonClock
    let logger: Logger
    private let state = Mutex((announcedReady: false, lastStatus: ""))

    public init(
        environment: SystemdEnvironment,
        model: HealthModel,
        stallLimit: Duration,
        clock: any CharonClock = RealClock(),
        logger: Logger = Logger(label: "charon.agent.systemd")
    ) {
        self.environment = environment
        notifier = SystemdNotifier(socketPath: environment.notifySocket)
        self.model = model
        self.stallLimit = stallLimit
        self.clock = clock
        self.logger = logger
    }

    public func healthDidUpdate(_ snapshot: HealthSnapshot, changed: Set<String>) async {
        let status = "STATUS=" + snapshot.summary.replacing("\n", with: " ")
        let message: String? = state.withLock { state in
            var lines: [String] = []
            if snapshot.ready && !state.announcedReady {
                state.announcedReady = true
                lines.append("READY=1")
            }
            if status != state.lastStatus {
                state.lastStatus = status
                lines.append(status)
            }
            return lines.isEmpty ? nil : lines.joined(separator: "\n")
        }
        guard let message else { return }
        do {
            try notifier.send(message)
        } catch {
            logger.warning("sd_notify: \(error)")
        }
    }

    /// Sends `STOPPING=1` when shutdown begins, and the watchdog pings until then.
    public func run() async throws {
        guard let interval = environment.watchdogInterval else {
            try? await gracefulShutdown()
            try? notifier.send("STOPPING=1")
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if model.isAlive(stallLimit: stallLimit) {
                do { try notifier.send("WATCHDOG=1") } catch { logger.warning("sd_notify WATCHDOG=1: \(error)") }
            } else {
                logger.error("not pinging the systemd watchdog: a reconcile pass has run longer than \(stallLimit)")
            }
            do {
                let clock = clock
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                break
            }
        }
        try? notifier.send("STOPPING=1")
    }
}
