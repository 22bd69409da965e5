/// Why a Kubernetes API call failed, in one line (never with the token).
///
/// ```swift
/// catch let error as KubernetesError { logger.warning("\(error)") }
/// // PATCH /api/v1/nodes/node1/status: 403 Forbidden: nodes "node1" is forbidden: …
/// ```
public enum KubernetesError: Error, CustomStringConvertible, Equatable {
    /// The API answered with a non-2xx status; `message` is the Status object's message if any.
    case status(request: String, code: Int, message: String)
    /// The token file could not be read.
    case token(path: String, reason: String)
    /// No HTTP answer at all (connection, TLS, timeout).
    case transport(String)
    /// The answer was not the JSON expected.
    case decoding(request: String, reason: String)

    /// The API said the object does not exist (404).
    public var isNotFound: Bool {
        if case .status(_, 404, _) = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .status(let request, let code, let message): "\(request): HTTP \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .token(let path, let reason): "cannot read the service account token \(path): \(reason)"
        case .transport(let reason): reason
        case .decoding(let request, let reason): "\(request): unexpected answer: \(reason)"
        }
    }
}
