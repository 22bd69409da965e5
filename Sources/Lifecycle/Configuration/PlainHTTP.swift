import CharonSupport

/// Whether a URL would carry a credential unencrypted across a network: `http://` to a host that
/// is not this machine's loopback. `https://` and `http+unix://` stay private.
///
/// ```swift
/// PlainHTTP.exposes("http://headscale.core.svc.cluster.local:8080")  // true
/// PlainHTTP.exposes("http://127.0.0.1:8080")                        // false
/// ```
public enum PlainHTTP {
    public static func exposes(_ url: String) -> Bool {
        let scheme = "http://"
        guard url.lowercased().hasPrefix(scheme) else { return false }
        var authority = Substring(url.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return !Loopback.isHost(host.lowercased())
    }
}
