/// One HTTP request: method, absolute URL, headers, an optional body, and how it may be retried.
///
/// The body is handed to libcurl through its read callback, straight from these bytes.
///
/// ```swift
/// var request = HTTPRequest(.post, "https://api.example.com/v1/items", body: Array(json.utf8))
/// request.headers["Content-Type"] = "application/json"
/// request.retryPolicy = .whenNotProcessed  // a create: only retry what surely did not arrive
/// let response = try await client.send(request)
/// ```
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// Absolute `http://` or `https://` URL. `http+unix://<percent-encoded socket path>/path`
    /// sends the request over a unix socket.
    public var url: String
    public var headers: HTTPHeaders
    /// Request body; nil sends none.
    public var body: [UInt8]?
    /// When a failed attempt may be repeated; defaults from the method's idempotency.
    public var retryPolicy: RetryPolicy
    /// Overrides the client's per-attempt total timeout.
    public var timeout: Duration?
    /// Overrides the client's cap on the decoded response body (``HTTPClient/Configuration/maxResponseBytes``),
    /// e.g. for a list that can be large.
    public var maxResponseBytes: Int?

    public init(
        _ method: HTTPMethod,
        _ url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8]? = nil,
        retryPolicy: RetryPolicy? = nil,
        timeout: Duration? = nil,
        maxResponseBytes: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.retryPolicy = retryPolicy ?? (method.isIdempotent ? .idempotent : .whenNotProcessed)
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The URL without its query string, for log lines (queries can carry filters we need not show).
    public var urlForLogging: String {
        String(url.prefix { $0 != "?" })
    }
}
