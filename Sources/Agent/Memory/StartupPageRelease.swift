import Logging
import Synchronization

/// Releases the pages touched only at start (``StartupPages``) once, after the agent's first pass
/// has been reported: by then the daemon has touched what its passes, probes and reports use.
///
/// ```swift
/// let release = StartupPageRelease(metrics: metrics)
/// await release.healthDidUpdate(snapshot, changed: [])   // the first call releases, later ones do nothing
/// ```
public final class StartupPageRelease: HealthObserver {
    let metrics: AgentMetrics
    let logger: Logger
    let release: @Sendable () -> Int64
    private let done = Mutex(false)

    public init(
        metrics: AgentMetrics,
        logger: Logger = Logger(label: "charon.agent.memory"),
        release: @escaping @Sendable () -> Int64 = { StartupPages.release() }
    ) {
        self.metrics = metrics
        self.logger = logger
        self.release = release
    }

    public func healthDidUpdate(_ snapshot: HealthSnapshot, changed: Set<String>) async {
        let first = done.withLock { done in
            let first = !done
            done = true
            return first
        }
        guard first else { return }
        let bytes = release()
        metrics.startupPagesReleased(bytes: bytes)
        logger.info("handed \(bytes >> 10) KiB of pages touched only at start back to the kernel")
    }
}
