/// What one fleet pass saw and did, and what it cost; printed as one line per pass.
///
/// ```swift
/// let summary = await pass.run()
/// print(summary)  // fleet pass ok: 1000 nodes in scope, 3 swept; records 2 created, 0 updated, 4 deleted; …
/// ```
public struct FleetSummary: Sendable, Equatable, CustomStringConvertible {
    /// Nodes in scope in the listing.
    public var nodesSeen = 0
    /// Nodes deleted from Headscale (offline past the TTL).
    public var swept = 0
    public var created = 0
    public var updated = 0
    public var deleted = 0
    /// Names held by records this tool does not own.
    public var foreignNames: [String] = []
    /// Node names that make no DNS label.
    public var invalidNames: [String] = []
    public var headscaleCalls = 0
    public var cloudflareCalls = 0
    /// Batch calls among the Cloudflare calls.
    public var batches = 0
    /// Set when DNS was not looked at (no Cloudflare token).
    public var dnsSkipped = false
    /// Why the pass did not finish everything, one entry per failure; empty when it did.
    public var failures: [String] = []

    public init() {}

    public var succeeded: Bool { failures.isEmpty }
    /// Records written (every create, update and delete applied).
    public var writes: Int { created + updated + deleted }

    public var description: String {
        var parts = ["fleet pass \(succeeded ? "ok" : "FAILED"): \(nodesSeen) nodes in scope, \(swept) swept"]
        if dnsSkipped {
            parts.append("DNS skipped (no Cloudflare token)")
        } else {
            parts.append("records \(created) created, \(updated) updated, \(deleted) deleted")
            parts.append("\(foreignNames.count) foreign name\(foreignNames.count == 1 ? "" : "s") reported")
        }
        if !invalidNames.isEmpty { parts.append("\(invalidNames.count) node names skipped (not a DNS label)") }
        parts.append("calls: Headscale \(headscaleCalls), Cloudflare \(cloudflareCalls) (\(batches) batch\(batches == 1 ? "" : "es"))")
        return parts.joined(separator: "; ")
    }
}
