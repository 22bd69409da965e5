import Agent
import ArgumentParser
import Ingress
import Kubernetes
import Lifecycle
import Logging
import Tailscale

/// The options every ingress step shares: which node, which tailscaled, which interface.
struct IngressOptions: ParsableArguments {
    // `--node`, not the table's `--node-name` (that is the agent's): the ingress commands have
    // always taken `--node` (docs/ingress.md), and the flag users type must not change.
    @Option(name: .customLong("node"), help: ArgumentHelp(NodeSetting.nodeName.help, valueName: NodeSetting.nodeName.valueName))
    var node: String = Environment.nodeName

    @OptionGroup var tailscaleOptions: TailscaleOptions

    func hostname() throws -> IngressHostname { try IngressHostname(nodeName: node) }
    var tailscaleCLI: TailscaleCLI { tailscaleOptions.cli }
    func firewall() throws -> Firewall { try tailscaleOptions.firewall() }
}

/// Which tailscaled, and the interface its traffic arrives on.
struct TailscaleOptions: ParsableArguments {
    @Option(name: .setting(.tailscaleBinary), help: ArgumentHelp(NodeSetting.tailscaleBinary.help, valueName: NodeSetting.tailscaleBinary.valueName))
    var tailscale: String = Environment.tailscaleBinary

    @Option(name: .setting(.tailscaleSocket), help: ArgumentHelp(NodeSetting.tailscaleSocket.help, valueName: NodeSetting.tailscaleSocket.valueName))
    var tailscaleSocket: String?

    @Option(
        name: .setting(.tailscaleInterface),
        help: ArgumentHelp(NodeSetting.tailscaleInterface.help, valueName: NodeSetting.tailscaleInterface.valueName)
    )
    var tailscaleInterface: String = Environment.tailscaleInterface

    var cli: TailscaleCLI { TailscaleCLI(executable: tailscale, socket: tailscaleSocket ?? Environment.tailscaleSocket) }

    func firewall() throws -> Firewall { Firewall(policy: try FirewallPolicy(tailscaleInterface: tailscaleInterface)) }
}

/// How the join reaches Headscale; the rest of its settings are the lifecycle image's variables.
struct JoinOptions: ParsableArguments {
    @Option(
        name: .setting(.headscaleLoginServer),
        help: ArgumentHelp(NodeSetting.headscaleLoginServer.help, valueName: NodeSetting.headscaleLoginServer.valueName)
    )
    var loginServer: String?

    @Option(
        name: .setting(.ingressKeyDirectory),
        help: ArgumentHelp(NodeSetting.ingressKeyDirectory.help, valueName: NodeSetting.ingressKeyDirectory.valueName)
    )
    var keyDirectory: String = Environment.ingressKeyDirectory

    @Option(help: ArgumentHelp("Seconds tailscale up may wait for the node to be Running.", valueName: "seconds"))
    var upTimeout: Int = 60

    /// The Lifecycle settings for this node, from the environment.
    func lifecycle(_ hostname: IngressHostname) throws -> LifecycleConfiguration {
        try IngressLifecycleSettings.configuration(hostname: hostname, environment: Environment.all)
    }

    func join(
        hostname: IngressHostname,
        tailscale: TailscaleCLI,
        lifecycle: LifecycleConfiguration,
        clients: LifecycleClients,
        logger: Logger
    ) throws -> TailnetJoin {
        guard let loginServer = loginServer ?? Environment.headscaleLoginServer ?? Optional(lifecycle.headscaleURL) else {
            throw ValidationError("--login-server or HEADSCALE_LOGIN_SERVER is required")
        }
        return TailnetJoin(
            configuration: .init(
                hostname: hostname,
                loginServer: loginServer,
                keyDirectory: keyDirectory,
                upTimeoutSeconds: upTimeout,
                settleTimeout: .seconds(min(30, max(5, upTimeout / 2)))
            ),
            tailscale: tailscale,
            enrollment: LifecycleEnrollment(configuration: lifecycle, clients: clients, logger: logger)
        )
    }
}

/// Which internal controller, where its configuration lives, and how to reach the Kubernetes API.
struct ControllerOptions: ParsableArguments {
    @Option(
        name: .setting(.ingressController),
        help: ArgumentHelp(NodeSetting.ingressController.help, valueName: NodeSetting.ingressController.valueName)
    )
    var controller: String = Environment.ingressController

    @Option(
        name: .setting(.ingressControllerNamespace),
        help: ArgumentHelp(NodeSetting.ingressControllerNamespace.help, valueName: NodeSetting.ingressControllerNamespace.valueName)
    )
    var controllerNamespace: String?

    @Option(
        name: .setting(.ingressControllerConfigMap),
        help: ArgumentHelp(NodeSetting.ingressControllerConfigMap.help, valueName: NodeSetting.ingressControllerConfigMap.valueName)
    )
    var controllerConfigmap: String = Environment.controllerConfigMap

    @Option(
        name: .setting(.traefikMiddleware),
        help: ArgumentHelp(NodeSetting.traefikMiddleware.help, valueName: NodeSetting.traefikMiddleware.valueName)
    )
    var traefikMiddleware: String = Environment.traefikMiddleware

    @Option(help: ArgumentHelp("Kubernetes API URL without credentials (a kubectl proxy); default: in-cluster.", valueName: "url"))
    var apiServer: String?

    /// The adapters, by the name `--controller` takes.
    static let controllers = ["traefik", "ingress-nginx"]

    /// nil outside Kubernetes (no --api-server, no in-cluster service account); throws for a
    /// controller name it does not know.
    func adapter() throws -> (any IngressControllerAdapter)? {
        guard Self.controllers.contains(controller) else {
            throw ConfigurationError(
                "INGRESS_CONTROLLER (--controller) is \"\(controller)\": expected \(Self.controllers.joined(separator: " or "))"
            )
        }
        let configuration =
            apiServer.map { KubernetesConfiguration(apiServer: $0, tokenFile: nil, caFile: nil) }
            ?? KubernetesConfiguration.inCluster(environment: Environment.all)
        guard let configuration else { return nil }
        let client = KubernetesClient(configuration: configuration)
        let namespace = controllerNamespace ?? Environment.controllerNamespace
        switch controller {
        case "traefik":
            return TraefikAdapter(client: client, namespace: namespace ?? TraefikAdapter.defaultNamespace, middleware: traefikMiddleware)
        default:
            return IngressNginxAdapter(client: client, namespace: namespace ?? "ingress-nginx", configMap: controllerConfigmap)
        }
    }
}
