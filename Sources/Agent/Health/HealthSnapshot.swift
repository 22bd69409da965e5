import CharonSupport

/// The health model at one moment: what `/status`, `/readyz`, the Node conditions and systemd's
/// `STATUS=` line are all made from.
///
/// ```swift
/// let snapshot = model.snapshot
/// print(snapshot.overall, snapshot.ready, snapshot.summary)
/// ```
public struct HealthSnapshot: Sendable, Equatable {
    public var node: String
    public var version: String
    public var overall: HealthState
    /// The lifecycle image is imported with the expected digest and pinned.
    public var ready: Bool
    /// Every check, in ``HealthCheckName/all`` order, then any others.
    public var checks: [CheckEntry]
    /// Reconcile passes finished since start.
    public var passes: Int
    public var lastPass: Timestamp?
    /// The fleet pass, when this agent campaigns for it.
    public var fleet: FleetReport?

    public subscript(name: String) -> CheckEntry? { checks.first { $0.name == name } }

    /// One line for systemd's `STATUS=` and the log: the overall state and what fails.
    ///
    /// "healthy: localhost/tailscale-lifecycle:latest sha256:ab12… pinned"
    /// "unhealthy: containerd: socket … does not exist; image: cannot verify …"
    public var summary: String {
        let failing = checks.filter(\.isFailing)
        if failing.isEmpty {
            if passes == 0 { return "starting: first reconcile pass in progress" }
            return "\(overall.rawValue): \(self[HealthCheckName.image]?.result.message ?? "all checks pass")"
        }
        return "\(overall.rawValue): " + failing.map { "\($0.name): \($0.result.message)" }.joined(separator: "; ")
    }
}
