import Tailscale

/// What a join pass does for a given `tailscale status`. Only `Running` with addresses and an
/// unexpired key counts as joined; a healthy node is never given a new key.
///
/// ```swift
/// switch TailnetJoinDecision(status: status, now: now) {
/// case .joined: break
/// case .join(_, let forceReauth): …
/// }
/// ```
public enum TailnetJoinDecision: Sendable, Equatable {
    /// On the tailnet with these addresses: nothing to do.
    case joined(addresses: [String])
    /// tailscaled is starting: look again shortly before acting.
    case wait(reason: String)
    /// Stopped with a valid node key: `tailscale up` without a key brings it back.
    case bringUp(reason: String)
    /// Needs a fresh key (logged out, expired, never joined); `forceReauth` when a node key exists
    /// (an expired or unapproved one), which `tailscale up` would otherwise keep.
    case join(reason: String, forceReauth: Bool)

    public init(status: TailscaleStatus, now: Int64) {
        let expired = status.keyExpired(now: now)
        switch status.backendState {
        case .running where expired:
            self = .join(reason: "the node key expired at \(status.node?.keyExpiry ?? "?")", forceReauth: true)
        case .running where status.ipv4Address == nil && status.ipv6Address == nil:
            self = .join(reason: "tailscaled is Running without tailnet addresses", forceReauth: true)
        case .running:
            self = .joined(addresses: status.addresses)
        case .starting:
            self = .wait(reason: "tailscaled is Starting")
        case .stopped where !expired && status.haveNodeKey != false:
            self = .bringUp(reason: "tailscaled is Stopped")
        case .needsLogin where expired || status.haveNodeKey == true:
            self = .join(reason: "tailscaled needs login (node key expired or revoked)", forceReauth: true)
        case .needsMachineAuth:
            self = .join(reason: "the node waits for machine approval", forceReauth: true)
        case .stopped:
            self = .join(reason: "tailscaled is Stopped and its node key expired", forceReauth: true)
        default:
            self = .join(reason: "tailscaled is \(status.backendState)", forceReauth: false)
        }
    }
}
