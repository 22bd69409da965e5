/// Every setting of `charon-node` (image, agent, status, ingress, the fleet's election): its
/// environment variable, its flag and its default. This table is the one place they live, like
/// `LifecycleSetting` for `charon-lifecycle`; the fleet pass's own settings are `FleetSetting`,
/// and the Headscale, Cloudflare and key settings are the lifecycle image's.
/// Tests/AgentTests/NodeSettingDocsTests.swift compares the tables in README.md and docs/ with it.
///
/// ```swift
/// NodeSetting.statusAddress.environmentName  // "STATUS_ADDRESS"
/// NodeSetting.statusAddress.flag             // "--status-address"
/// NodeSetting.statusAddress.defaultValue     // ":9102"
/// ```
public enum NodeSetting: String, CaseIterable, Sendable {
    case imageSpec = "IMAGE_SPEC"
    case imageOutput = "IMAGE_OUTPUT"
    case containerdAddress = "CONTAINERD_ADDRESS"
    case containerdNamespace = "CONTAINERD_NAMESPACE"
    case sourceDateEpoch = "SOURCE_DATE_EPOCH"
    case logLevel = "LOG_LEVEL"
    case nodeName = "NODE_NAME"
    case statusAddress = "STATUS_ADDRESS"
    case agentInterval = "AGENT_INTERVAL"
    case agentRetryInterval = "AGENT_RETRY_INTERVAL"
    case shutdownGrace = "SHUTDOWN_GRACE"
    case conditionHeartbeat = "NODE_CONDITION_HEARTBEAT"
    case minimumFreeDisk = "MIN_FREE_DISK_MB"
    case statusURL = "STATUS_URL"
    case ingressEnabled = "INGRESS_ENABLED"
    case tailscaleBinary = "TAILSCALE_BIN"
    case tailscaleSocket = "TAILSCALE_SOCKET"
    case tailscaleInterface = "TAILSCALE_INTERFACE"
    case headscaleLoginServer = "HEADSCALE_LOGIN_SERVER"
    case ingressKeyDirectory = "INGRESS_KEY_DIRECTORY"
    case ingressController = "INGRESS_CONTROLLER"
    case ingressControllerNamespace = "INGRESS_CONTROLLER_NAMESPACE"
    case ingressControllerConfigMap = "INGRESS_CONTROLLER_CONFIGMAP"
    case traefikMiddleware = "INGRESS_TRAEFIK_MIDDLEWARE"
    case ingressServices = "INGRESS_SERVICES"
    case nginxConfOutput = "NGINX_CONF_OUTPUT"
    case fleetEnabled = "FLEET_ENABLED"
    case fleetLeaseDuration = "FLEET_LEASE_DURATION"
    case podNamespace = "POD_NAMESPACE"

    /// The port the status server listens on unless told otherwise (and `charon-node status` asks).
    public static let statusPort = 9102

    /// The environment variable.
    public var environmentName: String { rawValue }

    /// The long flag (with `--`), nil when the setting has none. `NODE_NAME` is `--node-name` on
    /// the agent and `--node` on the `ingress` commands.
    public var flag: String? {
        switch self {
        case .imageSpec: "--spec"
        case .imageOutput: "--output"
        case .containerdAddress: "--containerd-address"
        case .containerdNamespace: "--namespace"
        case .sourceDateEpoch, .logLevel: nil
        case .nodeName: "--node-name"
        case .statusAddress: "--status-address"
        case .agentInterval: "--interval"
        case .agentRetryInterval: "--retry-interval"
        case .shutdownGrace: "--shutdown-grace"
        case .conditionHeartbeat: "--condition-heartbeat"
        case .minimumFreeDisk: "--min-free-disk"
        case .statusURL: "--url"
        case .ingressEnabled: "--ingress"
        case .tailscaleBinary: "--tailscale"
        case .tailscaleSocket: "--tailscale-socket"
        case .tailscaleInterface: "--tailscale-interface"
        case .headscaleLoginServer: "--login-server"
        case .ingressKeyDirectory: "--key-directory"
        case .ingressController: "--controller"
        case .ingressControllerNamespace: "--controller-namespace"
        case .ingressControllerConfigMap: "--controller-configmap"
        case .traefikMiddleware: "--traefik-middleware"
        case .ingressServices: "--services"
        case .nginxConfOutput: "--output"
        case .fleetEnabled: "--fleet"
        case .fleetLeaseDuration: "--fleet-lease-duration"
        case .podNamespace: "--fleet-namespace"
        }
    }

    /// The default, or nil when there is no fixed one: `IMAGE_SPEC` (the spec found beside the
    /// binary), `NODE_NAME` (the host name), `TAILSCALE_SOCKET` (the CLI's default),
    /// `HEADSCALE_LOGIN_SERVER` (`HEADSCALE_URL`), `INGRESS_CONTROLLER_NAMESPACE` (the
    /// controller's own namespace).
    public var defaultValue: String? {
        switch self {
        case .imageOutput: "/var/lib/charon-node/tailscale-lifecycle-image.tar"
        case .containerdAddress: "/run/containerd/containerd.sock"
        case .containerdNamespace: "k8s.io"
        case .sourceDateEpoch: "0"
        case .logLevel: "info"
        case .statusAddress: ":\(Self.statusPort)"
        case .agentInterval: "60"
        case .agentRetryInterval: "10"
        case .shutdownGrace: "20"
        case .conditionHeartbeat: "300"
        case .minimumFreeDisk: "256"
        case .statusURL: "http://127.0.0.1:\(Self.statusPort)"
        case .ingressEnabled: "false"
        case .tailscaleBinary: "tailscale"
        case .tailscaleInterface: "tailscale0"
        case .ingressKeyDirectory: "/run/charon-node"
        case .ingressController: "ingress-nginx"
        case .ingressControllerConfigMap: "ingress-nginx-controller"
        case .traefikMiddleware: "tailnet-only"
        case .ingressServices: "/etc/charon-node/services.yaml"
        case .nginxConfOutput: "/etc/nginx/conf.d/charon-ingress.conf"
        case .fleetEnabled: "false"
        case .fleetLeaseDuration: "60"
        case .podNamespace: "charon-system"
        case .imageSpec, .nodeName, .tailscaleSocket, .headscaleLoginServer, .ingressControllerNamespace: nil
        }
    }

    /// The default as a number (the settings given in seconds or MiB).
    public var defaultNumber: Double { defaultValue.flatMap(Double.init) ?? 0 }
}
