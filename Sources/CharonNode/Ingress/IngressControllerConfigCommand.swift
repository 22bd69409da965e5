import ArgumentParser
import Ingress

/// `charon-node ingress controller-config`: the internal controller's tailnet allowlist.
struct IngressControllerConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller-config",
        abstract: "Set the internal controller's source allowlist to the tailnet and keep use-forwarded-headers off.",
        discussion: """
            --controller traefik: the Middleware traefik-internal/tailnet-only gets ipAllowList.sourceRange = \
            100.64.0.0/10,fd7a:115c:a1e0::/48,127.0.0.0/8,::1/128 and no ipStrategy (created when missing). \
            --controller ingress-nginx: whitelist-source-range = the same ranges and use-forwarded-headers = \
            "false" in its ConfigMap. Written with a merge patch, only where they differ.
            """
    )

    @OptionGroup var controller: ControllerOptions

    func run() async throws {
        LogSetup.bootstrap()
        guard let adapter = try CommandFailure.checkingInput({ try controller.adapter() }) else {
            CommandFailure.printError("not in a Kubernetes pod (no KUBERNETES_SERVICE_HOST); pass --api-server")
            throw ExitCode(2)
        }
        try await CommandFailure.reporting {
            switch try await adapter.reconcile() {
            case .unchanged: print("\(adapter.target): as desired")
            case .patched(let keys): print("\(adapter.target): set \(keys.joined(separator: ", "))")
            case .created: print("\(adapter.target): created")
            }
        }
    }
}
