import Agent
import ArgumentParser
import Ingress
import Tailscale

/// Which tailscaled, the interface its traffic arrives on, and the ports open to it.
struct TailscaleOptions: ParsableArguments {
    @Option(name: .setting(.tailscaleBinary), help: ArgumentHelp(NodeSetting.tailscaleBinary.help, valueName: NodeSetting.tailscaleBinary.valueName))
    var tailscale: String = Environment.tailscaleBinary

    @Option(name: .setting(.tailscaleSocket), help: ArgumentHelp(NodeSetting.tailscaleSocket.help, valueName: NodeSetting.tailscaleSocket.valueName))
    var tailscaleSocket: String?

    @Option(
        name: .setting(.tailscaleInterface),
        help: ArgumentHelp(NodeSetting.tailscaleInterface.help, valueName: NodeSetting.tailscaleInterface.valueName)
    )
    var tailscaleInterface: String = Environment.tailscaleInterface

    @Option(
        name: .setting(.ingressTailnetPorts),
        help: ArgumentHelp(NodeSetting.ingressTailnetPorts.help, valueName: NodeSetting.ingressTailnetPorts.valueName)
    )
    var tailnetPorts: String = Environment.ingressTailnetPorts

    var cli: TailscaleCLI { TailscaleCLI(executable: tailscale, socket: tailscaleSocket ?? Environment.tailscaleSocket) }

    func firewall() throws -> Firewall {
        Firewall(policy: try FirewallPolicy(tailscaleInterface: tailscaleInterface, tailnetPorts: try FirewallPolicy.parsePorts(tailnetPorts)))
    }
}
