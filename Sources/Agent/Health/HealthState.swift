import CharonSupport

/// The node's overall state: the worst impact among failed checks.
///
/// `charon-node status` and `charon-node agent --once` exit with ``exitCode``.
///
/// ```swift
/// HealthState(failedImpacts: [.degraded])  // .degraded
/// ```
public enum HealthState: String, Sendable, Codable, CaseIterable {
    case healthy
    case degraded
    case unhealthy

    public init(failedImpacts: some Sequence<HealthImpact>) {
        switch failedImpacts.max() {
        case nil: self = .healthy
        case .degraded: self = .degraded
        case .unhealthy: self = .unhealthy
        }
    }

    /// 0 healthy, 1 degraded, 2 unhealthy.
    public var exitCode: Int32 {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .unhealthy: 2
        }
    }
}
