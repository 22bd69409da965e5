/// Why a bare-host nginx config was not rendered or not installed. In every case the installed
/// config and the running nginx are left as they were.
///
/// ```swift
/// // error: service 2: host "a.example.com;" is not a DNS name …
/// ```
public enum NginxConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The service list is unreadable or a service is refused; `index` is 1-based in messages.
    case invalidService(index: Int?, String)
    /// `nginx -t` refused the candidate; the text is nginx's own message.
    case rejected(String)
    /// Writing, reloading or restoring failed.
    case installFailed(String)

    public var description: String {
        switch self {
        case .invalidService(let index?, let reason): "service \(index + 1): \(reason)"
        case .invalidService(nil, let reason): "service list: \(reason)"
        case .rejected(let reason): "nginx -t refused the new config, nothing changed: \(reason)"
        case .installFailed(let reason): reason
        }
    }
}
