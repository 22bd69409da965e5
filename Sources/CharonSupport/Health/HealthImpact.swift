/// How much a failed check hurts: the node's overall state is the worst impact among failed checks.
public enum HealthImpact: String, Sendable, Comparable {
    /// The node keeps working in a reduced way (little disk left, ingress down).
    case degraded
    /// The node cannot do its job (containerd unreachable, lifecycle image missing).
    case unhealthy

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .degraded && rhs == .unhealthy }
}
