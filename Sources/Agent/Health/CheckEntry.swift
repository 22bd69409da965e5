import CharonSupport

/// One check as the health model remembers it: the last result and when things happened.
///
/// ```swift
/// entry.result.ok, entry.lastChecked?.rfc3339, entry.lastChange?.rfc3339
/// ```
public struct CheckEntry: Sendable, Equatable {
    public var name: String
    public var impact: HealthImpact
    /// `false` for a slot no module filled (tailscale, ingress on a node without the ingress).
    public var configured: Bool
    public var result: HealthCheckResult
    /// When the check last ran; `nil` before the first pass.
    public var lastChecked: Timestamp?
    /// When `ok` or `reason` last changed (the Node condition's lastTransitionTime).
    public var lastChange: Timestamp?

    public init(name: String, impact: HealthImpact, configured: Bool) {
        self.name = name
        self.impact = impact
        self.configured = configured
        result = configured ? .failed("not checked yet", reason: "NotCheckedYet") : .ok("not configured on this node", reason: "NotConfigured")
    }

    /// Whether this entry makes the node less than healthy.
    public var isFailing: Bool { configured && !result.ok }
}
