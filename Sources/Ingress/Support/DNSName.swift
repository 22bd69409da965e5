/// Checks for DNS names and labels as used in hostnames, nginx `server_name` and DNS records:
/// letters, digits and hyphens, no hyphen at either end of a label, labels of 1-63 bytes, names of
/// at most 253. Everything else (dots in a label, `_`, spaces, quotes, `;`, `{`) is refused, which
/// is also what keeps a name from carrying nginx directives or shell words.
///
/// ```swift
/// DNSName.isLabel("node-1")              // true
/// DNSName.isName("grafana.example.com")  // true
/// DNSName.isName("a.com; return 200")    // false
/// ```
public enum DNSName {
    public static func isLabel(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), bytes.first != hyphen, bytes.last != hyphen else { return false }
        return bytes.allSatisfy { isLetterOrDigit($0) || $0 == hyphen }
    }

    /// A host name of one or more labels; a single trailing dot is not accepted (nginx and
    /// certificates use the name without it).
    public static func isName(_ text: String) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel($0) }
    }

    private static let hyphen = UInt8(ascii: "-")

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
