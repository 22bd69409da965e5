import ArgumentParser
import CharonSupport
import Ingress
import Lifecycle
import Logging

/// `charon-node ingress up`: every step once, as the agent runs them each pass.
struct IngressUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run every ingress step once (join, firewall, controller config, DNS) and print the two health results.",
        discussion: """
            Exit status 0 when both the tailscale and the ingress results are ok, 1 otherwise. \
            Steps without their settings are skipped: no Kubernetes API means no controller config, \
            no CLOUDFLARE_API_TOKEN means no DNS, --no-join reads tailscaled's state without joining.
            """
    )

    @OptionGroup var ingress: IngressOptions
    @OptionGroup var joinOptions: JoinOptions
    @OptionGroup var controller: ControllerOptions

    @Flag(help: "Do not join; only report tailscaled's state.")
    var noJoin = false

    @Flag(help: "Do not install the firewall.")
    var noFirewall = false

    func run() async throws {
        LogSetup.bootstrap()
        let logger = Logger(label: "charon.ingress")
        let reconciler = try CommandFailure.checkingInput {
            try IngressAgentSetup.reconciler(
                hostname: try ingress.hostname(),
                tailscale: ingress.tailscaleOptions,
                joinOptions: joinOptions,
                controller: controller,
                join: !noJoin,
                firewall: !noFirewall,
                logger: logger
            )
        }
        let report = await reconciler.report()
        for (name, result) in [("tailscale", report.tailscale), ("ingress", report.ingress)] {
            print("\(name): \(result.ok ? "ok" : "failing (\(result.reason))"): \(result.message)")
        }
        if !(report.tailscale.ok && report.ingress.ok) { throw ExitCode(1) }
    }
}

/// Builds the ingress reconciler from options and the environment: for `ingress up` and for the
/// agent's `tailscale` and `ingress` checks.
enum IngressAgentSetup {
    static func reconciler(
        hostname: IngressHostname,
        tailscale: TailscaleOptions,
        joinOptions: JoinOptions,
        controller: ControllerOptions,
        join: Bool,
        firewall: Bool,
        logger: Logger
    ) throws -> IngressReconciler {
        var tailnetJoin: TailnetJoin?
        var dns: NodeDNSRecord?
        // Headscale settings are only needed to join or publish DNS.
        if join || [LifecycleSetting.cloudflareAPIToken, .cloudflareAPITokenFile].contains(where: { Environment.value($0.environmentName) != nil }) {
            let lifecycle = try joinOptions.lifecycle(hostname)
            let clients = LifecycleClients(configuration: lifecycle, logger: logger)
            if join {
                tailnetJoin = try joinOptions.join(
                    hostname: hostname,
                    tailscale: tailscale.cli,
                    lifecycle: lifecycle,
                    clients: clients,
                    logger: logger
                )
            }
            dns = NodeDNSRecord(keeper: clients.recordKeeper, fqdn: lifecycle.fqdn)
        }
        return IngressReconciler(
            parts: .init(
                hostname: hostname,
                join: tailnetJoin,
                status: tailscale.cli,
                firewall: firewall ? try tailscale.firewall() : nil,
                controller: try controller.adapter(),
                dns: dns
            ),
            logger: logger
        )
    }
}
