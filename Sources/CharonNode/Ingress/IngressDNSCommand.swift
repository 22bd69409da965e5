import ArgumentParser
import Ingress
import Lifecycle
import Logging

/// `charon-node ingress dns`: nginx-ingress-<node>.<domain> → the node's tailnet addresses.
struct IngressDNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Point nginx-ingress-<node>.<DOMAIN_NAME> at this node's tailnet addresses (Cloudflare).",
        discussion: """
            Reads the addresses from `tailscale status --json` (the node must be Running) and keeps one \
            A and one AAAA record with the lifecycle image's ownership rules: a record it does not \
            own is reported, never changed. Reads CLOUDFLARE_*, DOMAIN_NAME, DNS_TTL and OWNER_ID.
            """
    )

    @OptionGroup var ingress: IngressOptions

    func run() async throws {
        LogSetup.bootstrap()
        let logger = Logger(label: "charon.ingress")
        let lifecycle = try CommandFailure.checkingInput {
            try IngressLifecycleSettings.configuration(hostname: try ingress.hostname(), environment: Environment.all)
        }
        try await CommandFailure.reporting {
            let clients = LifecycleClients(configuration: lifecycle, logger: logger)
            guard let fqdn = lifecycle.fqdn, clients.recordKeeper != nil else {
                throw LifecycleError("CLOUDFLARE_API_TOKEN and DOMAIN_NAME are needed for the node's DNS record")
            }
            let status = try await ingress.tailscaleCLI.status()
            guard status.backendState == .running else {
                throw LifecycleError("tailscaled is \(status.backendState), not Running: no address to publish (\(status.healthSummary))")
            }
            let actions = try await NodeDNSRecord(keeper: clients.recordKeeper, fqdn: fqdn).reconcile(addresses: status.addresses)
            print(actions.isEmpty ? "\(fqdn): up to date" : "\(fqdn): \(actions.map(\.description).joined(separator: ", "))")
        }
    }
}
