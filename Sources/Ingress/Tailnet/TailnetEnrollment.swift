/// The Headscale side of a join: remove stale registrations of the hostname, mint a pre-auth key.
/// The agent backs it with the Lifecycle cleanup code the lifecycle pods use, so both follow the
/// same ownership rules (exact `name` match, the configured user or tags only).
///
/// ```swift
/// let removed = try await enrollment.removeStaleNodes(named: "nginx-ingress-node1")
/// let key = try await enrollment.createPreAuthKey(expiringIn: .seconds(300))
/// ```
public protocol TailnetEnrollment: Sendable {
    /// Deletes the offline Headscale nodes whose `name` equals `hostname` exactly; returns how
    /// many. Throws ``TailnetJoinError/registrationHeldElsewhere(name:id:addresses:)``, deleting
    /// nothing, when one of them is online: another machine holds the name.
    func removeStaleNodes(named hostname: String) async throws -> Int
    /// A fresh single-use pre-auth key that Headscale stops accepting after `lifetime`.
    func createPreAuthKey(expiringIn lifetime: Duration) async throws -> String
}
