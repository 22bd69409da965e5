/// The address ranges the internal ingress accepts: Tailscale's CGNAT and ULA ranges (what
/// Headscale assigns from by default) plus loopback, for local health probes.
///
/// ```swift
/// TailnetRanges.allowlist.joined(separator: ",")
/// // 100.64.0.0/10,fd7a:115c:a1e0::/48,127.0.0.0/8,::1/128
/// ```
public enum TailnetRanges {
    public static let ipv4 = "100.64.0.0/10"
    public static let ipv6 = "fd7a:115c:a1e0::/48"
    public static let loopback = ["127.0.0.0/8", "::1/128"]

    /// Tailnet first, then loopback.
    public static let allowlist = [ipv4, ipv6] + loopback

    /// Whether `found` (a controller's current list) holds the same ranges as `wanted`, by meaning:
    /// order and case do not count.
    public static func sameRanges(_ found: [String], as wanted: [String]) -> Bool {
        Set(found.map { $0.lowercased() }) == Set(wanted.map { $0.lowercased() })
    }
}
