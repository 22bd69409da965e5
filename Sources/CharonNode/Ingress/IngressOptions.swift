import Agent
import ArgumentParser
import Ingress
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
