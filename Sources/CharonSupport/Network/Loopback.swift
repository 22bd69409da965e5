/// What counts as this machine's loopback, in one place: where a credential may travel over plain
/// http, and who may read the agent's `/status`.
///
/// ```swift
/// Loopback.isHost("127.0.0.1")         // true
/// Loopback.isHost("localhost")         // true
/// Loopback.isHost("::ffff:127.0.0.1")  // true: an IPv4 peer on a dual-stack socket
/// Loopback.isHost("192.0.2.1")         // false
/// ```
public enum Loopback {
    /// `localhost` (and names under it), 127.0.0.0/8, `::1`, and 127.0.0.0/8 mapped into IPv6
    /// (`::ffff:127.x.y.z`, how a dual-stack socket reports an IPv4 loopback peer). Lowercase input.
    public static func isHost(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let ipv4 = host.hasPrefix("::ffff:") ? String(host.dropFirst("::ffff:".count)) : host
        let octets = ipv4.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
