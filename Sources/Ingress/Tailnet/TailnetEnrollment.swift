/// The Headscale side of a join: remove stale registrations of the hostname, mint a pre-auth key.
/// The agent backs it with the Lifecycle cleanup code the lifecycle pods use, so both follow the
/// same ownership rules (exact `name` match, the configured user or tags only).
///
/// ```swift
/// let removed = try await enrollment.removeStaleNodes(named: "nginx-ingress-node1")
/// let key = try await enrollment.createPreAuthKey()
/// ```
public protocol TailnetEnrollment: Sendable {
    /// Deletes Headscale nodes whose `name` equals `hostname` exactly; returns how many.
    func removeStaleNodes(named hostname: String) async throws -> Int
    /// A fresh pre-auth key for one registration.
    func createPreAuthKey() async throws -> String
}
