import ArgumentParser
import Ingress

/// `charon-node ingress down`: removes the firewall table.
struct IngressDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove charon's nftables table; ports 80/443 are then reachable as before. Idempotent.",
        discussion: "tailscaled, the controller and DNS are left as they are."
    )

    @OptionGroup var ingress: IngressOptions

    func run() async throws {
        LogSetup.bootstrap()
        let firewall = try CommandFailure.checkingInput { try ingress.firewall() }
        try await CommandFailure.reporting {
            try await firewall.remove()
            print("table inet \(firewall.policy.tableName): removed")
        }
    }
}
