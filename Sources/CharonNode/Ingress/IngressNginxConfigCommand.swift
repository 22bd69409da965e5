import Agent
import ArgumentParser
import Ingress

/// `charon-node ingress nginx-config`: plain nginx server blocks for a bare host.
struct IngressNginxConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx-config",
        abstract: "Render nginx server blocks (TLS, VPN-only allowlist, proxy) from a service list, check and install them.",
        discussion: """
            The service list (YAML or JSON) names each service's host, upstream, certificate and key. \
            Every value is checked first: a host that is not a DNS name, a value that could carry \
            nginx syntax, or a missing certificate stops with exit status 2 and nothing written. The \
            new file is then checked with `nginx -t` on its own, swapped in atomically, checked again \
            with the host's whole config (the previous file is put back if that fails), and nginx is \
            reloaded. Unchanged output writes and reloads nothing.
            """
    )

    @Option(name: .setting(.ingressServices), help: ArgumentHelp(NodeSetting.ingressServices.help, valueName: NodeSetting.ingressServices.valueName))
    var services: String = Environment.ingressServices

    @Option(name: .setting(.nginxConfOutput), help: ArgumentHelp(NodeSetting.nginxConfOutput.help, valueName: NodeSetting.nginxConfOutput.valueName))
    var output: String = Environment.nginxConfOutput

    @Option(help: ArgumentHelp("The nginx executable.", valueName: "path"))
    var nginx: String = "nginx"

    @Option(help: ArgumentHelp("nginx -p for the host's nginx (default: its compiled-in prefix).", valueName: "path"))
    var nginxPrefix: String?

    @Option(help: ArgumentHelp("nginx -c for the host's nginx (default: its compiled-in config).", valueName: "path"))
    var nginxConfig: String?

    @Flag(help: "Install and check, but do not reload nginx.")
    var noReload = false

    @Flag(help: "Print the rendered server blocks and change nothing.")
    var print = false

    func run() async throws {
        LogSetup.bootstrap()
        let list = try CommandFailure.checkingInput { try NginxServiceList.load(from: services).validated() }
        let text = NginxConfigRenderer().render(list)
        if print {
            Swift.print(text, terminator: "")
            return
        }
        try await CommandFailure.reporting {
            let configurator = NginxConfigurator(
                output: output,
                nginx: CommandLauncher([nginx]),
                prefix: nginxPrefix,
                mainConfig: nginxConfig,
                reload: !noReload
            )
            let outcome = try await configurator.install(text)
            Swift.print("\(output): \(outcome.rawValue) (\(list.services.count) service\(list.services.count == 1 ? "" : "s"))")
        }
    }
}
