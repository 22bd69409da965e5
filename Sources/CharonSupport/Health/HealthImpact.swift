/// How much a failed check hurts: the node's overall state is the worst impact among failed checks.
///
/// ```swift
/// struct ContainerdCheck: HealthCheck {
///     let name = HealthCheckName.containerd
///     var impact: HealthImpact { .unhealthy }  // the default is .degraded
///     func run() async -> HealthCheckResult { .failed("containerd socket missing", reason: "ContainerdUnreachable") }
/// }
/// HealthImpact.degraded < .unhealthy  // true: the node's state is the worst impact among failed checks
/// ```
public enum HealthImpact: String, Sendable, Comparable {
    /// The node keeps working in a reduced way (little disk left, ingress down).
    case degraded
    /// The node cannot do its job (containerd unreachable, lifecycle image missing).
    case unhealthy

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .degraded && rhs == .unhealthy }
}
