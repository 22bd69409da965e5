import ArgumentParser
import Ingress
import Kubernetes
import Lifecycle
import Logging
import Tailscale

/// The options every ingress step shares: which node, which tailscaled, which interface.
struct IngressOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This node's name; the tailnet hostname is nginx-ingress-<node> (env NODE_NAME).", valueName: "name"))
    var node: String = Environment.nodeName

    @OptionGroup var tailscaleOptions: TailscaleOptions

    func hostname() throws -> IngressHostname { try IngressHostname(nodeName: node) }
    var tailscaleCLI: TailscaleCLI { tailscaleOptions.cli }
    func firewall() throws -> Firewall { try tailscaleOptions.firewall() }
}

/// Which tailscaled, and the interface its traffic arrives on.
struct TailscaleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The tailscale CLI (env TAILSCALE_BIN).", valueName: "path"))
    var tailscale: String = Environment.tailscaleBinary

    @Option(help: ArgumentHelp("tailscaled's socket, if not the CLI's default (env TAILSCALE_SOCKET).", valueName: "path"))
    var tailscaleSocket: String?

    @Option(help: ArgumentHelp("The Tailscale interface ports 80/443 stay open on (env TAILSCALE_INTERFACE).", valueName: "name"))
    var tailscaleInterface: String = Environment.tailscaleInterface

    var cli: TailscaleCLI { TailscaleCLI(executable: tailscale, socket: tailscaleSocket ?? Environment.tailscaleSocket) }

    func firewall() throws -> Firewall { Firewall(policy: try FirewallPolicy(tailscaleInterface: tailscaleInterface)) }
}

/// How the join reaches Headscale; the rest of its settings are the lifecycle image's variables.
struct JoinOptions: ParsableArguments {
    @Option(help: ArgumentHelp("URL tailscaled logs in to (env HEADSCALE_LOGIN_SERVER, else HEADSCALE_URL).", valueName: "url"))
    var loginServer: String?

    @Option(help: ArgumentHelp("Root-only folder for the pre-auth key while tailscale up reads it (env INGRESS_KEY_DIRECTORY).", valueName: "path"))
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
    @Option(help: ArgumentHelp("The internal controller: traefik or ingress-nginx (env INGRESS_CONTROLLER).", valueName: "name"))
    var controller: String = Environment.ingressController

    @Option(
        help: ArgumentHelp(
            "Namespace of the internal controller (env INGRESS_CONTROLLER_NAMESPACE; default traefik-internal or ingress-nginx).",
            valueName: "name"
        )
    )
    var controllerNamespace: String?

    @Option(help: ArgumentHelp("ingress-nginx: the controller's ConfigMap (env INGRESS_CONTROLLER_CONFIGMAP).", valueName: "name"))
    var controllerConfigmap: String = Environment.controllerConfigMap

    @Option(help: ArgumentHelp("traefik: the allowlist Middleware on the entry points (env INGRESS_TRAEFIK_MIDDLEWARE).", valueName: "name"))
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
