/// Every setting of `charon-node` (image, agent, status, ingress, the fleet's election): its
/// environment variable, its flag, its default and its `--help` line. This table is the one place
/// they live, like `LifecycleSetting` for `charon-lifecycle`; the fleet pass's own settings are
/// `FleetSetting`, and the Headscale, Cloudflare and key settings are the lifecycle image's.
/// Tests/AgentTests/NodeSettingDocsTests.swift compares the tables in README.md and docs/ with
/// it, NodeSettingHelpTests.swift the built CLI's `--help`.
///
/// ```swift
/// NodeSetting.statusAddress.environmentName  // "STATUS_ADDRESS"
/// NodeSetting.statusAddress.flag             // "--status-address"
/// NodeSetting.statusAddress.defaultValue     // ":9102"
/// NodeSetting.statusAddress.valueName        // "address"
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
    case ingressTailnetPorts = "INGRESS_TAILNET_PORTS"
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
    case settingsDirectory = "SETTINGS_DIRECTORY"

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
        case .ingressTailnetPorts: "--tailnet-ports"
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
        case .settingsDirectory: "--settings-directory"
        }
    }

    /// The long flag without `--` (what ArgumentParser's `.customLong` takes), like
    /// `LifecycleSetting.flagName`; nil when the setting has none.
    public var flagName: String? { flag.map { String($0.dropFirst(2)) } }

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
        case .ingressTailnetPorts: "80,443"
        case .ingressKeyDirectory: "/run/charon-node"
        case .ingressController: "ingress-nginx"
        case .ingressControllerConfigMap: "ingress-nginx-controller"
        case .traefikMiddleware: "tailnet-only"
        case .ingressServices: "/etc/charon-node/services.yaml"
        case .nginxConfOutput: "/etc/nginx/conf.d/charon-ingress.conf"
        case .fleetEnabled: "false"
        case .fleetLeaseDuration: "60"
        case .podNamespace: "charon-system"
        case .imageSpec, .nodeName, .tailscaleSocket, .headscaleLoginServer, .ingressControllerNamespace, .settingsDirectory: nil
        }
    }

    /// The default as a number (the settings given in seconds or MiB).
    public var defaultNumber: Double { defaultValue.flatMap(Double.init) ?? 0 }

    /// One line for `--help`: what the setting is for, then `(env NAME)`. The default is added
    /// (`; default …`) only where `--help` would not show it: an option that starts from the
    /// default already gets ArgumentParser's `(default: …)`, which also shows an environment
    /// variable's override, so a fixed default beside it would be redundant and, with the
    /// variable set, wrong. The settings without a flag have a line too, for docs and tests.
    ///
    /// ```swift
    /// NodeSetting.agentInterval.help    // "Seconds between reconcile passes, jittered ±10% (env AGENT_INTERVAL)."
    /// NodeSetting.logLevel.help         // "Log level: trace, debug, info, notice, warning, error or critical (env LOG_LEVEL; default info)."
    /// ```
    public var help: String {
        guard let shownDefault = helpDefault else { return "\(summary) (env \(environmentName))." }
        return "\(summary) (env \(environmentName); default \(shownDefault))."
    }

    /// The placeholder `--help` shows for the flag's value (`--interval <seconds>`); nil for the
    /// on/off flags and the settings without a flag.
    public var valueName: String? {
        switch self {
        case .imageSpec, .imageOutput, .tailscaleBinary, .tailscaleSocket, .ingressKeyDirectory, .ingressServices, .nginxConfOutput,
            .settingsDirectory:
            "path"
        case .containerdAddress: "socket"
        case .containerdNamespace, .nodeName, .tailscaleInterface, .ingressController, .ingressControllerNamespace,
            .ingressControllerConfigMap, .traefikMiddleware, .podNamespace:
            "name"
        case .statusAddress: "address"
        case .agentInterval, .agentRetryInterval, .shutdownGrace, .conditionHeartbeat, .fleetLeaseDuration: "seconds"
        case .minimumFreeDisk: "MiB"
        case .statusURL, .headscaleLoginServer: "url"
        case .ingressTailnetPorts: "ports"
        case .ingressEnabled, .fleetEnabled, .sourceDateEpoch, .logLevel: nil
        }
    }

    /// What `help` says before the variable: the words the options' hand-written help had.
    private var summary: String {
        switch self {
        case .imageSpec: "Image spec folder or file"
        case .imageOutput: "Where the image tarball is written"
        case .containerdAddress: "containerd socket"
        case .containerdNamespace: "containerd namespace; kubelet uses k8s.io"
        case .sourceDateEpoch: "Seconds since the epoch stamped on every image entry and the config's created"
        case .logLevel: "Log level: trace, debug, info, notice, warning, error or critical"
        // One setting, two uses: the agent's Node conditions and the ingress's tailnet hostname
        // (the agent's too, with --ingress).
        case .nodeName: "This node's name: the Node whose conditions the agent patches; the tailnet hostname is nginx-ingress-<node>"
        case .statusAddress: "Where the status endpoint listens, host:port; \"off\" for none"
        case .agentInterval: "Seconds between reconcile passes, jittered ±10%"
        case .agentRetryInterval: "Seconds to the next pass after a failed one"
        case .shutdownGrace: "On SIGTERM, seconds the pass in flight may take before it is abandoned"
        case .conditionHeartbeat: "Seconds between Node condition updates when nothing changed"
        case .minimumFreeDisk: "MiB that must stay free where the tarball lives"
        case .statusURL: "The agent's status endpoint"
        case .ingressEnabled: "Each pass, also join the tailnet, keep the ingress firewall, controller config and node DNS"
        case .tailscaleBinary: "The tailscale CLI"
        case .tailscaleSocket: "tailscaled's socket, if not the CLI's default"
        case .tailscaleInterface: "The Tailscale interface ports 80/443 stay open on"
        case .ingressTailnetPorts: "TCP ports a tailnet peer may connect to on this node, comma-separated; the rest are dropped"
        case .headscaleLoginServer: "URL tailscaled logs in to"
        case .ingressKeyDirectory: "Root-only folder for the pre-auth key while tailscale up reads it"
        case .ingressController: "The internal controller: traefik or ingress-nginx"
        case .ingressControllerNamespace: "Namespace of the internal controller"
        case .ingressControllerConfigMap: "ingress-nginx: the controller's ConfigMap"
        case .traefikMiddleware: "traefik: the allowlist Middleware on the entry points"
        case .ingressServices: "The service list, YAML or JSON"
        case .nginxConfOutput: "Where the server blocks go; the main config must include it"
        case .fleetEnabled: "Elect one agent with a Lease and run the fleet pass there every FLEET_INTERVAL"
        case .fleetLeaseDuration: "Seconds the Lease counts after its last renewal, 15...3600"
        case .podNamespace: "Namespace of the Lease: the agent's own"
        case .settingsDirectory: "The agent's ConfigMap mounted as files: keys that differ from the running values are named in /status"
        }
    }

    /// The default as `help` says it. A setting without a flag has no `(default: …)` to show it;
    /// two options start empty (their default depends on another setting) and say it in words.
    private var helpDefault: String? {
        switch self {
        case .headscaleLoginServer: "HEADSCALE_URL"
        case .ingressControllerNamespace: "traefik-internal or ingress-nginx"
        default: flag == nil ? defaultValue : nil
        }
    }
}
