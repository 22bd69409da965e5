import ArgumentParser
import CharonSupport
import Ingress
import Logging

/// `charon-node agent --ingress`: the internal ingress as part of every agent pass. Its results
/// fill the health model's `tailscale` and `ingress` slots (and so `/status`, `/metrics` and the
/// Node conditions); without `--ingress` those slots read "not configured".
struct IngressAgentOptions: ParsableArguments {
    @Flag(
        name: .customLong("ingress"),
        inversion: .prefixedNo,
        help: "Each pass, also join the tailnet, keep the ingress firewall, controller config and node DNS (env INGRESS_ENABLED)."
    )
    var enabled: Bool = Environment.ingressEnabled

    @OptionGroup var tailscale: TailscaleOptions
    @OptionGroup var join: JoinOptions
    @OptionGroup var controller: ControllerOptions

    /// The agent's checks for this node; empty when the ingress is off. A join must fit in the
    /// agent's per-check timeout (30 s), so `tailscale up --timeout` is capped at 20 s here.
    func healthChecks(node: String) throws -> [any HealthCheck] {
        guard enabled else { return [] }
        let logger = Logger(label: "charon.ingress")
        let reconciler = try IngressInput.checked {
            try IngressAgentSetup.reconciler(
                hostname: try IngressHostname(nodeName: node),
                tailscale: tailscale,
                joinOptions: join,
                controller: controller,
                join: true,
                firewall: true,
                upTimeoutLimit: 20,
                logger: logger
            )
        }
        return reconciler.healthChecks
    }
}
