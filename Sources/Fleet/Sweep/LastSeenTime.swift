import CharonSupport

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
        guard let parsed = RFC3339.parse(text), !text.hasPrefix("0001-") && !text.hasPrefix("0000-") else { return nil }
        return parsed.seconds
    }
}
