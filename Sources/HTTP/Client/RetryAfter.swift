import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// Parses `Retry-After`: delay-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`),
/// capped at ``maximum`` so a bad or hostile header cannot park a sidecar for days.
///
/// ```swift
/// RetryAfter.delay(from: "3")       // .seconds(3)
/// RetryAfter.delay(from: "999999")  // .seconds(600): the cap
/// ```
public enum RetryAfter {
    /// The longest wait a header can ask for: 10 minutes, twice Cloudflare's 5-minute rate window.
    public static let maximum: Duration = .seconds(600)

    /// The wait the header asks for, at most ``maximum``; nil when absent or unreadable. A date
    /// in the past is zero.
    public static func delay(from value: String?, now: Int = time(nil)) -> Duration? {
        guard let value = value?.trimmed(" \t"), !value.isEmpty else { return nil }
        let seconds: Int
        if value.allSatisfy({ ("0"..."9").contains($0) }) {
            // Digits too many for Int are a wait far past the cap.
            seconds = Int(value) ?? Int.max
        } else {
            // libcurl parses every date format HTTP allows.
            let date = curl_getdate(value, nil)
            guard date >= 0 else { return nil }
            seconds = date - now
        }
        return min(.seconds(max(0, seconds)), maximum)
    }
}
