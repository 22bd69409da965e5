/// The accepted upstream form: `http[s]://authority[/path]`.
enum UpstreamURL {
    static func isValid(_ text: String) -> Bool {
        let rest: Substring
        if text.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else if text.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else {
            return false
        }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard
            path.utf8.allSatisfy({ byte in byte > 0x20 && byte < 0x7f && !NginxServiceList.nginxSyntax.contains(byte) && byte != UInt8(ascii: "?") })
        else { return false }
        var host = Substring(authority)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let literal = host[host.index(after: host.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            host = literal
        } else if let colon = host.firstIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
            guard DNSName.isName(String(host)) else { return false }
        } else {
            guard DNSName.isName(String(host)) else { return false }
        }
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isNumber) else { return false }
        }
        return true
    }
}
