import ArgumentParser
import Ingress
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
