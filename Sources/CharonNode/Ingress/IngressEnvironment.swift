/// The environment variables of `charon-node ingress …` (and of the agent's ingress pass), each
/// with its default in one place. The Headscale, Cloudflare and key settings are the lifecycle
/// image's (`HEADSCALE_URL`, `HEADSCALE_API_KEY[_FILE]`, `HEADSCALE_USER`, `CLOUDFLARE_*`,
/// `DOMAIN_NAME`, `AUTHKEY_*`, `DNS_TTL`, `OWNER_ID`), read by the Lifecycle module itself.
///
/// | variable | option | default |
/// |---|---|---|
/// | `INGRESS_ENABLED` | `agent --ingress` | `false` |
/// | `NODE_NAME` | `--node` | the host name |
/// | `TAILSCALE_BIN` | `--tailscale` | `tailscale` |
/// | `TAILSCALE_SOCKET` | `--tailscale-socket` | the CLI's default |
/// | `TAILSCALE_INTERFACE` | `--tailscale-interface` | `tailscale0` |
/// | `HEADSCALE_LOGIN_SERVER` | `--login-server` | `HEADSCALE_URL` |
/// | `INGRESS_KEY_DIRECTORY` | `--key-directory` | `/run/charon-node` |
/// | `INGRESS_CONTROLLER` | `--controller` | `ingress-nginx` |
/// | `INGRESS_CONTROLLER_NAMESPACE` | `--controller-namespace` | `traefik-internal` or `ingress-nginx` |
/// | `INGRESS_CONTROLLER_CONFIGMAP` | `--controller-configmap` | `ingress-nginx-controller` |
/// | `INGRESS_TRAEFIK_MIDDLEWARE` | `--traefik-middleware` | `tailnet-only` |
/// | `INGRESS_SERVICES` | `nginx-config --services` | `/etc/charon-node/services.yaml` |
/// | `NGINX_CONF_OUTPUT` | `nginx-config --output` | `/etc/nginx/conf.d/charon-ingress.conf` |
extension Environment {
    static var ingressEnabled: Bool { ["1", "true", "yes", "on"].contains(value("INGRESS_ENABLED")?.lowercased() ?? "") }
    static var tailscaleBinary: String { value("TAILSCALE_BIN") ?? "tailscale" }
    static var tailscaleSocket: String? { value("TAILSCALE_SOCKET") }
    static var tailscaleInterface: String { value("TAILSCALE_INTERFACE") ?? "tailscale0" }
    static var headscaleLoginServer: String? { value("HEADSCALE_LOGIN_SERVER") ?? value("HEADSCALE_URL") }
    static var ingressKeyDirectory: String { value("INGRESS_KEY_DIRECTORY") ?? "/run/charon-node" }
    static var ingressController: String { value("INGRESS_CONTROLLER") ?? "ingress-nginx" }
    /// nil: the chosen controller's own default namespace.
    static var controllerNamespace: String? { value("INGRESS_CONTROLLER_NAMESPACE") }
    static var traefikMiddleware: String { value("INGRESS_TRAEFIK_MIDDLEWARE") ?? "tailnet-only" }
    static var controllerConfigMap: String { value("INGRESS_CONTROLLER_CONFIGMAP") ?? "ingress-nginx-controller" }
    static var ingressServices: String { value("INGRESS_SERVICES") ?? "/etc/charon-node/services.yaml" }
    static var nginxConfOutput: String { value("NGINX_CONF_OUTPUT") ?? "/etc/nginx/conf.d/charon-ingress.conf" }
}
