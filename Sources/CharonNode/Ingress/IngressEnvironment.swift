import Agent

/// The variables of `charon-node ingress …` (and of the agent's ingress pass): `NodeSetting`'s
/// ingress cases. The Headscale, Cloudflare and key settings are the lifecycle image's
/// (`HEADSCALE_URL`, `HEADSCALE_API_KEY[_FILE]`, `HEADSCALE_USER`, `CLOUDFLARE_*`,
/// `DOMAIN_NAME`, `AUTHKEY_*`, `DNS_TTL`, `OWNER_ID`), read by the Lifecycle module itself.
extension Environment {
    static var ingressEnabled: Bool { isOn(.ingressEnabled) }
    static var tailscaleBinary: String { text(.tailscaleBinary) }
    static var tailscaleSocket: String? { value(.tailscaleSocket) }
    static var tailscaleInterface: String { text(.tailscaleInterface) }
    static var ingressTailnetPorts: String { text(.ingressTailnetPorts) }
    /// `HEADSCALE_LOGIN_SERVER`, else the lifecycle image's `HEADSCALE_URL`.
    static var headscaleLoginServer: String? { value(.headscaleLoginServer) ?? value("HEADSCALE_URL") }
    static var ingressKeyDirectory: String { text(.ingressKeyDirectory) }
    static var ingressController: String { text(.ingressController) }
    /// nil: the chosen controller's own default namespace.
    static var controllerNamespace: String? { value(.ingressControllerNamespace) }
    static var traefikMiddleware: String { text(.traefikMiddleware) }
    static var controllerConfigMap: String { text(.ingressControllerConfigMap) }
    static var ingressServices: String { text(.ingressServices) }
    static var nginxConfOutput: String { text(.nginxConfOutput) }
}
