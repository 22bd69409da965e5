import ArgumentParser
import Lifecycle
import Logging

/// `charon-lifecycle cleanup`: the init container `lifecycle-cleanup`.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete the service's stale Headscale nodes and DNS records, then write a fresh pre-auth key.",
        discussion: """
            Exits 0 when the key is written, 1 when a step fails (nothing is written), 2 on bad configuration.
            """
    )

    @OptionGroup var options: LifecycleOptions

    func run() async throws {
        let configuration = try options.resolve()
        let logger = Logger(label: "charon-lifecycle")
        for warning in configuration.plainHTTPWarnings { logger.warning("\(warning)") }
        let workflow = CleanupWorkflow(configuration: configuration, logger: logger)
        let task = Task { try await workflow.run() }
        // Stopped mid-run, the task is cancelled so a half-written key file is removed, not left.
        let stop = StopSignals { task.cancel() }
        let result = await task.result
        if case .success = result { return }
        if stop.requested {
            throw LifecycleExit.failed("cleanup stopped by \(stop.signalName); no key written")
        }
        if case .failure(let error) = result {
            throw LifecycleExit.failed("cleanup failed: \(error)")
        }
    }
}
