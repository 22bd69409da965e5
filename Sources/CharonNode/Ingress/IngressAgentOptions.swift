import Agent
import ArgumentParser
import CharonSupport
import Ingress
import Logging

/// `charon-node agent --ingress`: the internal ingress as part of every agent pass. Its results
/// fill the health model's `tailscale` and `ingress` slots (and so `/status`, `/metrics` and the
/// Node conditions); without `--ingress` those slots read "not configured".
struct IngressAgentOptions: ParsableArguments {
    @Flag(name: .setting(.ingressEnabled), inversion: .prefixedNo, help: ArgumentHelp(NodeSetting.ingressEnabled.help))
    var enabled: Bool = Environment.ingressEnabled

    @OptionGroup var tailscale: TailscaleOptions
    @OptionGroup var join: JoinOptions
    @OptionGroup var controller: ControllerOptions

    /// The agent's ingress reconciler for this node; none when the ingress is off. A setting that
    /// is missing or refused never stops the agent (the image is its first job): the ingress slots
    /// then fail with the reason, every pass, until the setting is fixed.
    func reconcilers(node: String) -> [any NodeReconciler] {
        guard enabled else { return [] }
        let logger = Logger(label: "charon.ingress")
        do {
            let reconciler = try IngressAgentSetup.reconciler(
                hostname: try IngressHostname(nodeName: node),
                tailscale: tailscale,
                joinOptions: join,
                controller: controller,
                join: true,
                firewall: true,
                logger: logger
            )
            // Keys are only on disk for the seconds `tailscale up` reads them; whatever an earlier,
            // killed agent left there goes now.
            if let join = reconciler.parts.join {
                let removed = join.sweepKeyDirectory()
                if removed > 0 { logger.notice("removed \(removed) leftover key file(s) from \(join.configuration.keyDirectory)") }
            }
            return [reconciler]
        } catch {
            logger.error("internal ingress not started: \(error); the image keeps being reconciled")
            return [IngressMisconfiguration(problem: "\(error)")]
        }
    }
}
