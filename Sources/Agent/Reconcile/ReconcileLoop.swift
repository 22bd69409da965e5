import CharonSupport
import Logging
import ServiceLifecycle

/// The agent's reconcile loop as a service: a pass, tell the observers, sleep (jittered), again.
///
/// On graceful shutdown (SIGTERM) it stops sleeping at once; a pass in flight gets
/// ``AgentConfiguration/shutdownGrace`` to finish, and is abandoned after that: the build writes a
/// temporary file and renames it, and an interrupted import is redone by the next agent, so
/// walking away never leaves a half-written tarball or a half-imported image behind.
///
/// ```swift
/// let loop = ReconcileLoop(pass: pass, observers: [notifier], interval: .seconds(60),
///                          retryInterval: .seconds(10), shutdownGrace: .seconds(20))
/// try await ServiceGroup(services: [loop], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct ReconcileLoop: Service {
    public var pass: ReconcilePass
    public var observers: [any HealthObserver]
    public var interval: Duration
    public var retryInterval: Duration
    public var shutdownGrace: Duration
    /// Sleeps between passes and measures the shutdown grace.
    public var clock: any CharonClock
    public var logger: Logger

    public init(
        pass: ReconcilePass,
        observers: [any HealthObserver],
        interval: Duration,
        retryInterval: Duration,
        shutdownGrace: Duration,
        clock: any CharonClock = RealClock(),
        logger: Logger = Logger(label: "charon.agent")
    ) {
        self.pass = pass
        self.observers = observers
        self.interval = interval
        self.retryInterval = retryInterval
        self.shutdownGrace = shutdownGrace
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard let (snapshot, _) = await runPassUnlessAbandoned() else {
                logger.warning("shutting down: abandoned the reconcile pass in flight after \(shutdownGrace); the next start redoes it")
                return
            }
            let failing = snapshot.checks.contains(where: \.isFailing)
            let delay = Self.jittered(failing ? min(retryInterval, interval) : interval)
            let clock = clock
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: delay) }
            } catch {
                break
            }
        }
        logger.info("reconcile loop stopped")
    }

    /// Runs one pass and its observers in a task of their own, so that a shutdown can stop waiting
    /// for it. `nil` when the pass was abandoned.
    func runPassUnlessAbandoned() async -> (HealthSnapshot, Set<String>)? {
        let pass = pass
        let observers = observers
        let work = Task {
            let (snapshot, changed) = await pass.run()
            for observer in observers { await observer.healthDidUpdate(snapshot, changed: changed) }
            return (snapshot, changed)
        }
        let grace = shutdownGrace
        let clock = clock
        let logger = logger
        let finished: Bool = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            // Task {} inherits the task-locals that carry ServiceLifecycle's shutdown signal.
            let watcher = Task {
                do { try await gracefulShutdown() } catch { return }
                logger.info("shutting down: letting the reconcile pass in flight finish (up to \(grace))")
                try? await clock.sleep(for: grace)
                guard !Task.isCancelled else { return }
                once.resume(false)
            }
            Task {
                _ = await work.value
                watcher.cancel()
                once.resume(true)
            }
        }
        guard finished else {
            work.cancel()
            return nil
        }
        return await work.value
    }

    /// ±10%, so that a fleet started together drifts apart instead of hitting containerd and the
    /// API server in lockstep.
    static func jittered(_ duration: Duration) -> Duration {
        duration * Double.random(in: 0.9...1.1)
    }
}
