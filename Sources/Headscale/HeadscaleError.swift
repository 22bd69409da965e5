import HTTP

/// A Headscale call that failed, named so an operator knows what to fix.
///
/// ```swift
/// catch let error as HeadscaleError { print(error) }
/// // Headscale refused the API key (HTTP 401 on GET /api/v1/user): Unauthorized
/// ```
public enum HeadscaleError: Error, CustomStringConvertible, Sendable {
    /// The API key was refused (401/403, or a 500 naming the key, as Headscale up to 0.26 answers).
    case unauthorized(request: String, status: Int, message: String)
    /// The thing asked for does not exist (404, or a 500 "record not found" up to 0.26).
    case notFound(request: String, status: Int, message: String)
    /// Any other non-2xx answer.
    case status(request: String, status: Int, message: String)
    /// A 2xx answer whose body is not what the API documents.
    case malformedResponse(request: String, detail: String)
    /// No answer at all (connection, timeout), after retries.
    case transport(HTTPError)
    /// `HEADSCALE_USER` names no user.
    case userNotFound(String)
    /// The server accepted neither form of the pre-auth key's user (name, numeric id).
    case userNotAccepted(user: String, message: String)
    /// The key issued is not what was asked for.
    case unverifiedKey(String)

    public var description: String {
        switch self {
        case .unauthorized(let request, let status, let message):
            "Headscale refused the API key (HTTP \(status) on \(request)): \(message)"
        case .notFound(let request, let status, let message):
            "Headscale has no such object (HTTP \(status) on \(request)): \(message)"
        case .status(let request, let status, let message):
            "Headscale answered HTTP \(status) on \(request): \(message)"
        case .malformedResponse(let request, let detail):
            "Headscale's answer to \(request) is not valid: \(detail)"
        case .transport(let error):
            "cannot reach Headscale: \(error)"
        case .userNotFound(let name):
            "Headscale has no user named \"\(name)\""
        case .userNotAccepted(let user, let message):
            "Headscale accepted neither the name nor the id of user \"\(user)\" for a pre-auth key: \(message)"
        case .unverifiedKey(let detail):
            "the pre-auth key Headscale issued cannot be verified: \(detail)"
        }
    }

    /// Whether the API key was refused.
    public var isUnauthorized: Bool {
        if case .unauthorized = self { return true }
        return false
    }
}
