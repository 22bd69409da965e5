/// When a failed attempt of a request may be sent again.
///
/// Rate limiting (429) and failures before the request left this machine are always safe to
/// retry. A timeout after sending, a dropped connection or a 5xx may come after the server already
/// acted, so those are retried only for requests that are safe to repeat.
///
/// ```swift
/// HTTPRequest(.get, url)                                  // .idempotent by default
/// HTTPRequest(.post, url, retryPolicy: .whenNotProcessed) // the default for POST and PATCH
/// var policy = RetryPolicy.idempotent
/// policy.isPermanent = { $0.status == 500 && $0.text.contains("Unauthorized") }
/// ```
public struct RetryPolicy: Sendable {
    /// Whether a failure that may have reached the server (5xx, timeout or reset after sending) is retried.
    public var retriesAfterSend: Bool
    /// Whether anything is retried at all.
    public var enabled: Bool
    /// Overrides the client's attempt limit.
    public var maxAttempts: Int?
    /// Marks a response that looks transient (429, 5xx) as final, e.g. an error body that names
    /// refused credentials: retrying it would only delay the failure.
    public var isPermanent: (@Sendable (HTTPResponse) -> Bool)?

    public init(retriesAfterSend: Bool, enabled: Bool = true, maxAttempts: Int? = nil, isPermanent: (@Sendable (HTTPResponse) -> Bool)? = nil) {
        self.retriesAfterSend = retriesAfterSend
        self.enabled = enabled
        self.maxAttempts = maxAttempts
        self.isPermanent = isPermanent
    }

    /// Retry every transient failure: for GET, PUT, DELETE and other repeatable calls.
    public static let idempotent = RetryPolicy(retriesAfterSend: true)
    /// Retry only what surely was not processed: connect failures and 429.
    public static let whenNotProcessed = RetryPolicy(retriesAfterSend: false)
    /// One attempt only.
    public static let never = RetryPolicy(retriesAfterSend: false, enabled: false)
}
