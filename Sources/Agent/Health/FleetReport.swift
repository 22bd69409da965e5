/// The fleet pass as this agent sees it, in `/status` and `charon-node status`: whether this agent
/// holds the Lease, and the last pass it ran. Absent from the document when the agent does not
/// campaign (`FLEET_ENABLED` off). A follower shows `leader: false` and the passes it ran while it
/// led, if it ever did.
///
/// ```json
/// "fleet": {"leader": true, "passes": 12, "lastPass": "2026-12-02T09:00:00Z", "lastSucceeded": true,
///           "lastSuccess": "2026-12-02T09:00:00Z",
///           "lastSummary": "fleet pass ok: 1000 nodes in scope, 3 swept; records 2 created, …"}
/// ```
///
/// ```swift
/// model.updateFleet { report in
///     report.passes += 1
///     report.lastPass = finished
///     report.lastSucceeded = summary.succeeded
/// }
/// ```
public struct FleetReport: Codable, Sendable, Equatable {
    public var leader = false
    /// Passes this agent ran since it started.
    public var passes = 0
    public var lastPass: Timestamp?
    public var lastSucceeded: Bool?
    /// The last pass that finished everything: with `lastPass`, how stale the zone may be.
    public var lastSuccess: Timestamp?
    /// The last pass's one line (counts and failures; never a secret: the pass logs none).
    public var lastSummary: String?

    public init() {}
}
