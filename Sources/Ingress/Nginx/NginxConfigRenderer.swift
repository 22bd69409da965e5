/// Renders plain nginx server blocks (for `http {}` context, e.g. `/etc/nginx/conf.d/`) from a
/// validated ``NginxServiceList``: per service an HTTP server that redirects to HTTPS and a TLS
/// server that proxies to the upstream, both open only to ``TailnetRanges/allowlist``.
///
/// ```swift
/// let text = NginxConfigRenderer().render(try list.validated())
/// ```
public struct NginxConfigRenderer: Sendable {
    /// Source ranges that may connect; everything else gets 403.
    public var allowlist: [String]

    public init(allowlist: [String] = TailnetRanges.allowlist) {
        self.allowlist = allowlist
    }

    /// The first line of every file this tool writes.
    public static let header = "# Managed by charon-node (charon-node ingress nginx-config). Local edits are overwritten."

    public func render(_ list: NginxServiceList) -> String {
        var text = """
            \(Self.header)
            # Only the tailnet (\(TailnetRanges.ipv4), \(TailnetRanges.ipv6)) and loopback may connect;
            # the host firewall drops ports 80/443 on every other interface as well.

            # WebSocket upgrades pass through; a prefixed name avoids clashing with a site's own map.
            map $http_upgrade $charon_connection_upgrade {
                default upgrade;
                ''      close;
            }

            """
        for service in list.services {
            text += "\n" + render(service)
        }
        return text
    }

    func render(_ service: NginxService) -> String {
        let access = (allowlist.map { "allow \($0);" } + ["deny all;"]).map { "    " + $0 }.joined(separator: "\n")
        return """
            server {
                listen 80;
                listen [::]:80;
                server_name \(service.host);
            \(access)
                # `return` runs before the access phase and would redirect anyone; try_files runs
                # after it, so only allowed clients reach the redirect and the rest get 403.
                location / {
                    try_files /.charon-no-such-file @charon_https;
                }
                location @charon_https {
                    return 308 https://$host$request_uri;
                }
            }

            server {
                listen 443 ssl;
                listen [::]:443 ssl;
                server_name \(service.host);
                ssl_certificate \(service.certificate);
                ssl_certificate_key \(service.key);
                ssl_protocols TLSv1.2 TLSv1.3;
                ssl_session_cache shared:charon_ssl:1m;
            \(access)
                location / {
                    proxy_pass \(service.upstream);
                    proxy_http_version 1.1;
                    proxy_set_header Host $host;
                    # The peer address nginx saw, never a client-sent X-Forwarded-For: the app must
                    # not be told a spoofed tailnet address.
                    proxy_set_header X-Real-IP $remote_addr;
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Forwarded-Host $host;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $charon_connection_upgrade;
                }
            }

            """
    }
}
