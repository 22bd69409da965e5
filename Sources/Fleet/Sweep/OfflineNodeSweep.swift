import Headscale

/// Which nodes the fleet pass deletes from Headscale: in scope (the caller lists only those),
/// offline, and last seen longer ago than `OFFLINE_NODE_TTL`. An online node is never stale,
/// whatever its `lastSeen`; a node whose `lastSeen` is missing or unreadable is never stale either
/// (nothing proves it was abandoned).
///
/// A guard against a Headscale that just came back from a long outage (every node offline, every
/// `lastSeen` old until the nodes reconnect): when more than half of a scope of more than 10 nodes
/// looks stale at once, nothing is swept and the pass reports it.
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

    /// Above this many stale nodes, and more than half of the scope, the sweep holds back.
    public static let guardFloor = 10

    /// The nodes to delete, or nil when the guard holds the sweep back.
    public func staleNodes(in nodes: [HeadscaleNode], now: Int64) -> [HeadscaleNode]? {
        let stale = nodes.filter { isStale($0, now: now) }
        if stale.count > Self.guardFloor && stale.count * 2 > nodes.count { return nil }
        return stale
    }

    /// Whether `node` is past the TTL at `now` (seconds since the epoch).
    public func isStale(_ node: HeadscaleNode, now: Int64) -> Bool {
        guard let ttl, !node.online, let text = node.lastSeen, let seen = LastSeenTime.epochSeconds(text) else { return false }
        return now - seen > ttl.components.seconds
    }
}
