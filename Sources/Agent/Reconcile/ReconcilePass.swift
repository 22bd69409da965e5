import CharonSupport
import Logging

/// One reconcile pass: the image reconciler (which yields the `containerd` and `image` checks),
/// then every other check, each bounded by a timeout, all recorded into the health model.
///
/// ```swift
/// let pass = ReconcilePass(reconciler: reconciler, checks: [DiskCheck(tarball: path)], model: model,
///                          metrics: metrics, checkTimeout: .seconds(30))
/// let (snapshot, changed) = await pass.run()
/// ```
public struct ReconcilePass: Sendable {
    public var reconciler: ImageReconciler
    /// Checks besides containerd and image (disk, tailscale, ingress, …).
    public var checks: [any HealthCheck]
    public var model: HealthModel
    public var metrics: AgentMetrics
    public var checkTimeout: Duration
    public var logger: Logger

    public init(
        reconciler: ImageReconciler,
        checks: [any HealthCheck],
        model: HealthModel,
        metrics: AgentMetrics,
        checkTimeout: Duration,
        logger: Logger = Logger(label: "charon.agent")
    ) {
        self.reconciler = reconciler
        self.checks = checks
        self.model = model
        self.metrics = metrics
        self.checkTimeout = checkTimeout
        self.logger = logger
    }

    public func run() async -> (snapshot: HealthSnapshot, changed: Set<String>) {
        let started = ContinuousClock.now
        model.passDidStart()
        var changed = Set<String>()

        // The reconciler runs several ctr commands (each with its own connect timeout) and maybe a
        // build: it gets the check timeout per step rather than one overall.
        let reconciler = reconciler
        let outcome = await withDeadline(checkTimeout * 4) { await reconciler.reconcile() }
        let containerd = outcome?.containerd ?? .failed("containerd did not answer within \(checkTimeout * 4)", reason: "ContainerdTimeout")
        let image = outcome?.image ?? .failed("reconciling the image did not finish within \(checkTimeout * 4)", reason: "ImageReconcileTimeout")
        if model.record(HealthCheckName.containerd, containerd) { changed.insert(HealthCheckName.containerd) }
        if model.record(HealthCheckName.image, image) { changed.insert(HealthCheckName.image) }

        // The other checks are independent of each other: run them side by side.
        let timeout = checkTimeout
        let results = await withTaskGroup(of: (String, HealthCheckResult).self) { group in
            for check in checks {
                group.addTask {
                    let result = await withDeadline(timeout) { await check.run() }
                    return (check.name, result ?? .failed("did not answer within \(timeout)", reason: "CheckTimeout"))
                }
            }
            var results: [(String, HealthCheckResult)] = []
            for await result in group { results.append(result) }
            return results
        }
        for (name, result) in results where model.record(name, result) { changed.insert(name) }

        let snapshot = model.publish()
        metrics.record(snapshot)
        let succeeded = !snapshot.checks.contains(where: \.isFailing)
        metrics.passFinished(succeeded: succeeded, duration: started.duration(to: .now))
        for name in changed.sorted() {
            guard let entry = snapshot[name], entry.configured else { continue }
            if entry.result.ok {
                logger.notice("\(name) ok: \(entry.result.message)")
            } else {
                logger.warning("\(name) failing: \(entry.result.message)")
            }
        }
        return (snapshot, changed)
    }
}
