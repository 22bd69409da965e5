/// One service a bare host publishes on the tailnet through nginx.
///
/// ```yaml
/// services:
///   - host: grafana.example.com
///     upstream: http://127.0.0.1:3000
///     certificate: /etc/ssl/charon/grafana.crt
///     key: /etc/ssl/charon/grafana.key
/// ```
///
/// ```swift
/// let grafana = NginxService(
///     host: "grafana.example.com",
///     upstream: "http://127.0.0.1:3000",
///     certificate: "/etc/ssl/charon/grafana.crt",
///     key: "/etc/ssl/charon/grafana.key"
/// )
/// let list = try NginxServiceList(services: [grafana]).validated()
/// ```
public struct NginxService: Sendable, Equatable, Codable {
    /// The name clients use (`server_name`); a DNS name, compared case-insensitively.
    public var host: String
    /// Where requests go: `http://` or `https://` with a host (name, IPv4 or `[IPv6]`), an optional
    /// port and an optional path.
    public var upstream: String
    /// PEM certificate chain and private key; both must exist and be readable.
    public var certificate: String
    public var key: String

    public init(host: String, upstream: String, certificate: String, key: String) {
        self.host = host
        self.upstream = upstream
        self.certificate = certificate
        self.key = key
    }
}
