import CharonSupport

/// Stands in for the ingress reconciler when its settings are missing or refused: every pass it
/// reports the `tailscale` and `ingress` slots as failed with the reason, and touches nothing.
///
/// A bad ingress setting must never stop the agent: the lifecycle image is its first job and keeps
/// being reconciled. The problem shows where operators look (`/status`, `/readyz`'s body, the
/// `CharonIngressProblem` Node condition) until the setting is fixed and the agent restarted.
///
/// ```swift
/// let reconciler: any NodeReconciler
/// do { reconciler = try makeIngressReconciler() }
/// catch { reconciler = IngressMisconfiguration(problem: "\(error)") }
/// ```
public struct IngressMisconfiguration: NodeReconciler {
    /// What is wrong, as one line that names the setting (never its secret value).
    public let problem: String

    public init(problem: String) {
        self.problem = problem
    }

    public var checkNames: [String] { [HealthCheckName.tailscale, HealthCheckName.ingress] }

    public func reconcile() async -> [String: HealthCheckResult] {
        let result = HealthCheckResult.failed("ingress settings refused, nothing done: \(problem)", reason: "IngressMisconfigured")
        return Dictionary(uniqueKeysWithValues: checkNames.map { ($0, result) })
    }
}
