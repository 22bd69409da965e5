/// Why a tailscale command or LocalAPI call failed, in one line with any auth key redacted.
///
/// ```swift
/// // tailscale up: timeout waiting for Running (backend NeedsLogin; health: …)
/// ```
public enum TailscaleError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The CLI could not start or exited non-zero; the text is redacted.
    case commandFailed(String)
    /// The status JSON did not decode.
    case unreadableStatus(String)
    /// LocalAPI answered with an error status.
    case localAPI(String)
    /// Input refused before anything ran (a hostname, a login server URL).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .commandFailed(let reason): reason
        case .unreadableStatus(let reason): "tailscale status: unreadable JSON: \(reason)"
        case .localAPI(let reason): "tailscaled LocalAPI: \(reason)"
        case .invalidArgument(let reason): reason
        }
    }
}
