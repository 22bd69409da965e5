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
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[19] == UInt8(ascii: ".") || bytes.count == 20 else { return nil }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard separators.allSatisfy({ bytes[$0.0] == $0.1.asciiValue }) else { return nil }
        let digits = text.prefix(19).split(whereSeparator: { !$0.isNumber }).compactMap { Int32($0) }
        guard digits.count == 6 else { return nil }
        var parts = tm()
        parts.tm_year = digits[0] - 1900
        parts.tm_mon = digits[1] - 1
        parts.tm_mday = digits[2]
        parts.tm_hour = digits[3]
        parts.tm_min = digits[4]
        parts.tm_sec = digits[5]
        var micros: Int64 = 0
        if bytes.count > 20 {
            let fraction = bytes[20..<(bytes.count - 1)]
            guard !fraction.isEmpty, fraction.allSatisfy({ (48...57).contains($0) }) else { return nil }
            for (index, byte) in fraction.prefix(6).enumerated() { micros += Int64(byte - 48) * Self.scale[index] }
        }
        microseconds = Int64(timegm(&parts)) * 1_000_000 + micros
    }

    static let scale: [Int64] = [100_000, 10_000, 1_000, 100, 10, 1]

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
