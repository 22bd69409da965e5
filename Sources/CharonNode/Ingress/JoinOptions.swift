import Agent
import ArgumentParser
import Ingress
import Lifecycle
import Logging
import Tailscale

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
        backoff: JoinBackoff,
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
            enrollment: LifecycleEnrollment(configuration: lifecycle, clients: clients, logger: logger),
            backoff: backoff
        )
    }
}
