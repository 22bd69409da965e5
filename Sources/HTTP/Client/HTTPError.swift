import CCurl

/// A request that produced no HTTP response: the transfer failed, timed out or was cancelled.
///
/// ```swift
/// do { _ = try await client.send(request) } catch let error as HTTPError {
///     print(error)  // GET http://127.0.0.1:1/api/v1/node: Couldn't connect to server (after 3 attempts)
/// }
/// ```
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// libcurl failed with this `CURLcode`.
        case transport(code: Int32)
        /// The task was cancelled (e.g. SIGTERM) while the request was under way.
        case cancelled
        /// The request cannot be sent as given (bad URL, bad option).
        case invalidRequest
        /// The response body (decoded) was larger than this many bytes: the transfer was stopped
        /// (or refused from its `Content-Length`) instead of holding it in memory.
        case responseTooLarge(limit: Int)
    }

    public var kind: Kind
    /// Method and URL without query, e.g. `GET https://api.cloudflare.com/client/v4/zones/…`.
    public var request: String
    /// libcurl's explanation, or ours.
    public var reason: String
    /// Attempts made before giving up.
    public var attempts: Int
    /// Whether the request may have reached the server (decides whether retrying is safe).
    public var mayHaveBeenSent: Bool

    public init(kind: Kind, request: String, reason: String, attempts: Int = 1, mayHaveBeenSent: Bool = false) {
        self.kind = kind
        self.request = request
        self.reason = reason
        self.attempts = attempts
        self.mayHaveBeenSent = mayHaveBeenSent
    }

    public var description: String {
        attempts > 1 ? "\(request): \(reason) (after \(attempts) attempts)" : "\(request): \(reason)"
    }

    /// Whether this failure can go away by itself (connection trouble, timeouts), as opposed to a
    /// certificate problem or a malformed URL that will fail the same way every time.
    public var isTransient: Bool {
        guard case .transport(let code) = kind else { return false }
        switch CURLcode(rawValue: UInt32(code)) {
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
            CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY:
            return true
        default:
            return false
        }
    }
}
