import ArgumentParser
import Ingress

/// `charon-node ingress firewall`: ports 80/443 only on the Tailscale interface and loopback, and
/// the Tailscale interface closed to all but the tailnet ports.
struct IngressFirewallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "Install (or with --check, verify) the nftables table that keeps ports 80/443 VPN-only.",
        discussion: """
            One `inet` table, charon_ingress, replaced atomically with `nft -f`: TCP 80/443 addressed \
            to this node is dropped unless it arrives on the Tailscale interface or lo, and a new \
            connection arriving on the Tailscale interface is dropped unless it is TCP to one of the \
            tailnet ports (INGRESS_TAILNET_PORTS) or ICMP (IPv4 and IPv6). Nothing else in the \
            ruleset is read or changed. `ingress down` removes it.
            """
    )

    @OptionGroup var ingress: IngressOptions

    @Flag(help: "Only compare the kernel's table with the policy: exit 0 in place, 1 missing or drifted.")
    var check = false

    func run() async throws {
        LogSetup.bootstrap()
        let firewall = try CommandFailure.checkingInput { try ingress.firewall() }
        try await CommandFailure.reporting {
            if check {
                let state = try await firewall.inspect()
                print("table inet \(firewall.policy.tableName): \(state)")
                if state != .inPlace { throw ExitCode(1) }
                return
            }
            let before = try await firewall.reconcile()
            print(
                before == .inPlace
                    ? "table inet \(firewall.policy.tableName): in place, unchanged"
                    : "table inet \(firewall.policy.tableName): applied (was \(before)): \(firewall.policy.ruleTexts.joined(separator: "; "))"
            )
        }
    }
}
