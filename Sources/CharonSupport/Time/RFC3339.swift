#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps in UTC (`2026-11-25T13:00:00Z`): Headscale's `expiration`, the image
/// config's `created`, the agent's `/status` times all use this one formatter.
///
/// ```swift
/// RFC3339.format(epochSeconds: 0)  // "1970-01-01T00:00:00Z"
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
}
