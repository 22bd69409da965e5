#if canImport(Glibc)
import Glibc
#endif

/// Reads the RFC 3339 times Headscale sends (`lastSeen`: protobuf's JSON form,
/// `2026-11-25T12:00:00.123456789Z`, or with an offset) as seconds since the epoch.
/// Headscale's zero time (`0001-01-01T00:00:00Z`, a node never seen) reads as nil.
///
/// ```swift
/// LastSeenTime.epochSeconds("1970-01-01T00:01:00Z")       // 60
/// LastSeenTime.epochSeconds("1970-01-01T01:00:00+01:00")  // 0
/// ```
public enum LastSeenTime {
    public static func epochSeconds(_ text: String) -> Int64? {
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
        guard year > 1, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == 46 {  // fraction: whole seconds are enough
            index += 1
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
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
        return Int64(timegm(&parts)) - offset
    }
}
