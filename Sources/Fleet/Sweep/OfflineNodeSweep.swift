import Headscale

/// Which nodes the fleet pass deletes from Headscale: in scope (the caller lists only those),
/// offline, and last seen longer ago than `OFFLINE_NODE_TTL`. An online node is never stale,
/// whatever its `lastSeen`; a node whose `lastSeen` is missing or unreadable is never stale either
/// (nothing proves it was abandoned).
///
/// ```swift
/// let sweep = OfflineNodeSweep(ttl: .seconds(86_400))
/// let stale = nodes.filter { sweep.isStale($0, now: now) }
/// ```
public struct OfflineNodeSweep: Sendable {
    /// nil: sweeping is off.
    public let ttl: Duration?

    public init(ttl: Duration?) {
        self.ttl = ttl
    }

    /// Whether `node` is past the TTL at `now` (seconds since the epoch).
    public func isStale(_ node: HeadscaleNode, now: Int64) -> Bool {
        guard let ttl, !node.online, let text = node.lastSeen, let seen = LastSeenTime.epochSeconds(text) else { return false }
        return now - seen > ttl.components.seconds
    }
}
