import ArgumentParser
import Lifecycle
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `charon-lifecycle dns-create`: the sidecar `lifecycle-dns-create`. Runs until SIGTERM/SIGINT,
/// then exits 0 promptly (in-flight requests are aborted).
struct DNSCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns-create",
        abstract: "Wait for the node to register, then keep its DNS records pointing at it until stopped.",
        discussion: """
            Exits 0 on SIGTERM, 1 when the node never registers or a credential is refused, 2 on bad configuration.
            """
    )

    @OptionGroup var options: LifecycleOptions

    func run() async throws {
        let configuration = try options.resolve()
        let logger = Logger(label: "charon-lifecycle")
        for warning in configuration.plainHTTPWarnings { logger.warning("\(warning)") }
        let workflow = DNSCreateWorkflow(configuration: configuration, logger: logger)
        let task = Task { try await workflow.run() }
        let stop = StopSignals { task.cancel() }
        let result = await task.result
        if stop.requested {
            logger.info("stopping on \(stop.signalName)")
            return
        }
        if case .failure(let error) = result {
            throw LifecycleExit.failed("dns-create failed: \(error)")
        }
    }
}
