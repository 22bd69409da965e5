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

    /// The agent's ingress reconciler for this node; none when the ingress is off. It is rebuilt
    /// every pass from the settings as they are then (credential files are read again, so a
    /// Secret created or rotated later is used without a restart). A setting that is missing or
    /// refused never stops the agent (the image is its first job): the ingress slots then fail
    /// with the reason, every pass, until the setting is fixed.
    func reconcilers(node: String) -> [any NodeReconciler] {
        guard enabled else { return [] }
        let logger = Logger(label: "charon.ingress")
        // Keys are only on disk for the seconds `tailscale up` reads them; whatever an earlier,
        // killed agent left there goes now.
        let removed = TailnetJoin.sweepKeyDirectory(join.keyDirectory)
        if removed > 0 { logger.notice("removed \(removed) leftover key file(s) from \(join.keyDirectory)") }
        // The one piece of state that outlives a pass: how long failed joins wait.
        let backoff = JoinBackoff()
        let (tailscale, join, controller) = (tailscale, join, controller)
        return [
            ReloadingReconciler(checkNames: [HealthCheckName.tailscale, HealthCheckName.ingress], logger: logger) {
                try IngressAgentSetup.reconciler(
                    hostname: try IngressHostname(nodeName: node),
                    tailscale: tailscale,
                    joinOptions: join,
                    controller: controller,
                    join: true,
                    firewall: true,
                    backoff: backoff,
                    logger: logger
                )
            }
        ]
    }
}
