import HTTP

/// A Cloudflare call that failed, with the API's own error codes.
///
/// ```swift
/// catch let error as CloudflareError { print(error) }
/// // Cloudflare refused the API token (HTTP 403 on GET …/dns_records): 10000 Authentication error
/// ```
public enum CloudflareError: Error, CustomStringConvertible, Sendable {
    /// 401/403, or an authentication error code (10000, 9109, 6003…).
    case unauthorized(request: String, status: Int, errors: [CloudflareMessage])
    /// `success: false` or a non-2xx answer.
    case api(request: String, status: Int, errors: [CloudflareMessage])
    /// 429 beyond what the request's retry deadline could wait; `retryAfter` from the header.
    case rateLimited(request: String, retryAfter: Duration?)
    /// 2xx with a body that is not the documented envelope.
    case malformedResponse(request: String, detail: String)
    /// No answer (connection, timeout), after retries.
    case transport(HTTPError)

    public var description: String {
        switch self {
        case .unauthorized(let request, let status, let errors):
            "Cloudflare refused the API token (HTTP \(status) on \(request)): \(Self.list(errors))"
        case .api(let request, let status, let errors):
            "Cloudflare answered HTTP \(status) on \(request): \(Self.list(errors))"
        case .rateLimited(let request, let retryAfter):
            "Cloudflare rate-limited \(request)\(retryAfter.map { "; retry after \($0)" } ?? "")"
        case .malformedResponse(let request, let detail):
            "Cloudflare's answer to \(request) is not valid: \(detail)"
        case .transport(let error):
            "cannot reach Cloudflare: \(error)"
        }
    }

    /// The API error codes carried, if any.
    public var codes: [Int] {
        switch self {
        case .unauthorized(_, _, let errors), .api(_, _, let errors): errors.map(\.code)
        default: []
        }
    }

    public var isUnauthorized: Bool {
        if case .unauthorized = self { return true }
        return false
    }

    static func list(_ errors: [CloudflareMessage]) -> String {
        errors.isEmpty ? "no error detail" : errors.map(\.description).joined(separator: "; ")
    }
}
