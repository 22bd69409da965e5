#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps (`2026-11-25T13:00:00Z`): Headscale's `expiration`, the image config's
/// `created`, the agent's `/status` times all use this one formatter, and every time read
/// (Headscale's `lastSeen`, Lease times, `/status`) this one parser.
///
/// ```swift
/// RFC3339.format(epochSeconds: 0)                         // "1970-01-01T00:00:00Z"
/// RFC3339.parse("1970-01-01T01:00:00.5+01:00")            // (seconds: 0, microseconds: 500_000)
/// ```
public enum RFC3339 {
    /// Seconds since the epoch, now.
    public static var nowEpochSeconds: Int { Int(time(nil)) }

    public static func format(epochSeconds: Int) -> String {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// A parsed time: whole seconds since the epoch and the microseconds within that second
    /// (further fractional digits are dropped).
    public struct Parsed: Sendable, Equatable {
        public var seconds: Int64
        public var microseconds: Int64

        public init(seconds: Int64, microseconds: Int64) {
            self.seconds = seconds
            self.microseconds = microseconds
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T` and `Z` in either case); nil for
    /// anything else, including out-of-range fields.
    public static func parse(_ text: String) -> Parsed? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for index in range {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int32(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45, let day = number(8..<10),
            bytes[10] == 84 || bytes[10] == 116, let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16),
            bytes[16] == 58, let second = number(17..<19)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var microseconds: Int64 = 0
        if index < bytes.count, bytes[index] == 46 {  // .fraction
            index += 1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if index - start < 6 { microseconds += Int64(bytes[index] - 48) * scale[index - start] }
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset: Int64 = 0
        switch bytes[index] {
        case 90, 122:  // Z
            guard index + 1 == bytes.count else { return nil }
        case 43, 45:  // +HH:MM / -HH:MM
            guard index + 6 == bytes.count, bytes[index + 3] == 58, let hours = number(index + 1..<index + 3),
                let minutes = number(index + 4..<index + 6)
            else { return nil }
            offset = Int64(hours) * 3600 + Int64(minutes) * 60
            if bytes[index] == 45 { offset = -offset }
        default:
            return nil
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Parsed(seconds: Int64(timegm(&parts)) - offset, microseconds: microseconds)
    }

    static let scale: [Int64] = [100_000, 10_000, 1_000, 100, 10, 1]
}
