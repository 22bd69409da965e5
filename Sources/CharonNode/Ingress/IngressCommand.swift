import ArgumentParser

/// `charon-node ingress …`: the internal-ingress steps, one at a time.
struct IngressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingress",
        abstract: "Join the tailnet, keep ports 80/443 VPN-only, configure the controller, publish the node's DNS name.",
        discussion: """
            `up` runs every step once (what the agent does each pass with --ingress); the other \
            subcommands run one step. See docs/ingress.md.
            """,
        subcommands: [
            IngressUpCommand.self, IngressJoinCommand.self, IngressFirewallCommand.self, IngressDownCommand.self,
            IngressControllerConfigCommand.self, IngressDNSCommand.self, IngressNginxConfigCommand.self,
        ]
    )
}
