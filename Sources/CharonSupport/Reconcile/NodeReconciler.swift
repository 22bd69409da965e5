/// A part of the node the agent keeps in shape: each pass it changes what has drifted and says how
/// that went in one or more health slots (the image reconciler fills `containerd` and `image`, the
/// internal ingress `tailscale` and `ingress`).
///
/// A reconciler is where the agent *changes* the node; a ``HealthCheck`` only looks. Keeping the
/// two apart means a check never secretly repairs anything, and a slot's result always comes from
/// the pass that just ran. Like a check, a reconciler never throws: a failure is a failed result
/// with a message that names it (and never a secret). It lives in `CharonSupport` so that modules
/// the agent depends on can provide one without a cycle.
///
/// ```swift
/// struct FirewallReconciler: NodeReconciler {
///     var checkNames: [String] { ["firewall"] }
///     func reconcile() async -> [String: HealthCheckResult] {
///         do { try await firewall.reconcile(); return ["firewall": .ok("in place")] }
///         catch { return ["firewall": .failed("\(error)", reason: "FirewallFailed")] }
///     }
/// }
/// ```
public protocol NodeReconciler: Sendable {
    /// The slots this reconciler fills, each a ``HealthCheckName`` or a name of its own.
    var checkNames: [String] { get }

    /// What a failure in each slot means for the node; `.degraded` unless the reconciler says more.
    func impact(of checkName: String) -> HealthImpact

    /// One pass: repair what drifted, and a result for every name in ``checkNames``. A missing
    /// entry reads as a failure.
    func reconcile() async -> [String: HealthCheckResult]

    /// What each slot says when a pass did not finish within `timeout`.
    func timedOut(after timeout: Duration) -> [String: HealthCheckResult]
}

extension NodeReconciler {
    public func impact(of checkName: String) -> HealthImpact { .degraded }

    public func timedOut(after timeout: Duration) -> [String: HealthCheckResult] {
        Dictionary(uniqueKeysWithValues: checkNames.map { ($0, .failed("did not finish within \(timeout)", reason: "ReconcileTimeout")) })
    }
}
