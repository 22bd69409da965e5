import ArgumentParser
import Ingress
import Lifecycle
import Logging

/// `charon-node ingress join`: tailscaled logged in to Headscale as nginx-ingress-<node>.
struct IngressJoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join this node's tailscaled to Headscale as nginx-ingress-<node>, if it is not joined.",
        discussion: """
            Nothing happens while `tailscale status` says Running with addresses and an unexpired \
            key. Otherwise stale Headscale nodes of that exact name are removed, one pre-auth key is \
            issued, and `tailscale up --auth-key file:… --reset --accept-dns=false --timeout …` runs \
            (with --force-reauth for an expired key). Reads the lifecycle image's HEADSCALE_* and \
            AUTHKEY_* variables. Prints the node's tailnet addresses.
            """
    )

    @OptionGroup var ingress: IngressOptions
    @OptionGroup var joinOptions: JoinOptions

    func run() async throws {
        LogSetup.bootstrap()
        let logger = Logger(label: "charon.ingress")
        let (hostname, lifecycle) = try CommandFailure.checkingInput { () throws -> (IngressHostname, LifecycleConfiguration) in
            let hostname = try ingress.hostname()
            return (hostname, try joinOptions.lifecycle(hostname))
        }
        try await CommandFailure.reporting {
            let join = try joinOptions.join(
                hostname: hostname,
                tailscale: ingress.tailscaleCLI,
                lifecycle: lifecycle,
                clients: LifecycleClients(configuration: lifecycle, logger: logger),
                backoff: JoinBackoff(),
                logger: logger
            )
            let outcome = try await join.reconcile(logger: logger)
            let verb =
                switch outcome {
                case .alreadyJoined: "already joined"
                case .broughtUp: "brought up"
                case .joined: "joined"
                }
            print("\(hostname) \(verb) \(outcome.addresses.joined(separator: " "))")
        }
    }
}
