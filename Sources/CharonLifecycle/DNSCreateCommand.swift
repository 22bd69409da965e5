import ArgumentParser
import Dispatch
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

/// Turns SIGTERM and SIGINT into a callback (delivered on a dispatch queue, not in a signal handler).
final class StopSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLockLite()
    private var received: Int32 = 0

    init(_ onStop: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.withLock { self?.received = number }
                onStop()
            }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool { lock.withLock { received != 0 } }
    var signalName: String { lock.withLock { received == SIGINT ? "SIGINT" : "SIGTERM" } }
}

/// A pthread mutex, to avoid Foundation for one lock.
final class NSLockLite: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
