/// An HTTP request method, with what retrying it means.
///
/// ```swift
/// let request = HTTPRequest(.patch, "https://api.example.com/v1/things/1")
/// request.method.isIdempotent  // false: PATCH may have side effects each time
/// ```
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"

    /// RFC 9110 idempotent methods: repeating them has the same effect as sending them once.
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete: true
        case .post, .patch: false
        }
    }
}
