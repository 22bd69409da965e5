import CharonSupport
import Glibc

/// A wall-clock time in whole seconds, as `/status` and Node conditions show it (RFC 3339, UTC).
///
/// ```swift
/// Timestamp.now.rfc3339  // "2026-11-25T12:40:03Z"
/// ```
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    /// Seconds since the Unix epoch.
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.seconds < rhs.seconds }

    /// `YYYY-MM-DDTHH:MM:SSZ`, built by hand: this runs for every entry on every pass.
    public var rfc3339: String { RFC3339.format(epochSeconds: Int(seconds)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }

    /// Parses what ``rfc3339`` writes (and fractions or offsets are not needed: only we write it).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 UTC time: \(text)"))
        }
        self = parsed
    }

    public init?(rfc3339 text: String) {
        guard text.hasSuffix("Z"), let parsed = RFC3339.parse(text) else { return nil }
        seconds = parsed.seconds
    }
}
