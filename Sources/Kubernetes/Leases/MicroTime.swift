import CharonSupport

#if canImport(Glibc)
import Glibc
#endif

/// Kubernetes' `MicroTime`: RFC 3339 in UTC with exactly six fractional digits
/// (`2026-12-02T09:00:00.123456Z`), held as microseconds since the epoch.
///
/// ```swift
/// MicroTime(microseconds: 1_500_000).text  // "1970-01-01T00:00:01.500000Z"
/// MicroTime(parsing: "1970-01-01T00:00:01.5Z")?.microseconds  // 1_500_000
/// ```
public struct MicroTime: Codable, Sendable, Hashable, Comparable {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Parses RFC 3339 in UTC (`Z`), with any number of fractional digits or none.
    public init?(parsing text: String) {
        guard text.hasSuffix("Z"), let parsed = RFC3339.parse(text) else { return nil }
        microseconds = parsed.seconds * 1_000_000 + parsed.microseconds
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public var text: String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = String(microseconds - seconds * 1_000_000)
        let whole = RFC3339.format(epochSeconds: Int(seconds))
        return String(whole.dropLast()) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.microseconds < rhs.microseconds }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = MicroTime(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 UTC time: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
