import CharonSupport
import Logging

/// One reconcile pass: every reconciler (the image first in the list; the internal ingress when it
/// is on) and every check, side by side, each bounded by its timeout, all recorded into the health
/// model. Reconcilers change the node and fill their slots; checks only look.
///
/// ```swift
/// let pass = ReconcilePass(reconcilers: [imageReconciler, ingressReconciler], checks: [DiskCheck(tarball: path)],
///                          model: model, metrics: metrics, checkTimeout: .seconds(30))
/// let (snapshot, changed) = await pass.run()
/// ```
public struct ReconcilePass: Sendable {
    public var reconcilers: [any NodeReconciler]
    /// Checks that only look (disk, …).
    public var checks: [any HealthCheck]
    public var model: HealthModel
    public var metrics: AgentMetrics
    /// Longest a check may take.
    public var checkTimeout: Duration
    /// Longest a reconciler may take: several commands and maybe a build or a `tailscale up`.
    public var reconcileTimeout: Duration
    public var logger: Logger

    public init(
        reconcilers: [any NodeReconciler],
        checks: [any HealthCheck],
        model: HealthModel,
        metrics: AgentMetrics,
        checkTimeout: Duration,
        reconcileTimeout: Duration? = nil,
        logger: Logger = Logger(label: "charon.agent")
    ) {
        self.reconcilers = reconcilers
        self.checks = checks
        self.model = model
        self.metrics = metrics
        self.checkTimeout = checkTimeout
        self.reconcileTimeout = reconcileTimeout ?? checkTimeout * 6
        self.logger = logger
    }

    public func run() async -> (snapshot: HealthSnapshot, changed: Set<String>) {
        let started = ContinuousClock.now
        model.passDidStart()
        var changed = Set<String>()

        // Independent of each other: the image build must not wait for a slow `tailscale up`,
        // nor the firewall for a build.
        let checkTimeout = checkTimeout
        let reconcileTimeout = reconcileTimeout
        let results = await withTaskGroup(of: [(String, HealthCheckResult)].self) { group in
            for reconciler in reconcilers {
                group.addTask {
                    let results =
                        await withDeadline(reconcileTimeout) { await reconciler.reconcile() } ?? reconciler.timedOut(after: reconcileTimeout)
                    return reconciler.checkNames.map { name in
                        (name, results[name] ?? .failed("the reconciler gave no result for \(name)", reason: "ReconcileIncomplete"))
                    }
                }
            }
            for check in checks {
                group.addTask {
                    let result = await withDeadline(checkTimeout) { await check.run() }
                    return [(check.name, result ?? .failed("did not answer within \(checkTimeout)", reason: "CheckTimeout"))]
                }
            }
            var results: [(String, HealthCheckResult)] = []
            for await batch in group { results += batch }
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
