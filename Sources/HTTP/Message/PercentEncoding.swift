/// Percent-encoding for URL path segments and query strings, shared by every API client.
///
/// ```swift
/// PercentEncoding.escape("a b/c")                    // "a%20b%2Fc"
/// PercentEncoding.query([("user", "svc"), ("x", "1")])  // "?user=svc&x=1"
/// ```
public enum PercentEncoding {
    /// Encodes everything but RFC 3986 unreserved characters, so the result is safe in a path
    /// segment and in a query value alike.
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// `?name=value&…` with both sides escaped; empty for no items.
    public static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}
