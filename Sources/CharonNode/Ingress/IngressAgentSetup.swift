import CharonSupport
import Ingress
import Lifecycle
import Logging

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
        backoff: JoinBackoff = JoinBackoff(),
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
                    backoff: backoff,
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
