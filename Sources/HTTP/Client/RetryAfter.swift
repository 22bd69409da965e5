import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// Parses `Retry-After`: delay-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`).
///
/// ```swift
/// RetryAfter.delay(from: "3")  // .seconds(3)
/// ```
public enum RetryAfter {
    /// The wait the header asks for; nil when absent or unreadable. A date in the past is zero.
    public static func delay(from value: String?, now: Int = time(nil)) -> Duration? {
        guard let value = value?.trimmed(" \t"), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return .seconds(max(0, seconds)) }
        // libcurl parses every date format HTTP allows.
        let date = curl_getdate(value, nil)
        guard date >= 0 else { return nil }
        return .seconds(max(0, date - now))
    }
}
