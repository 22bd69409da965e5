import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM and SIGINT into a callback, delivered on a dispatch queue rather than in a
/// signal handler, and remembers which signal came.
///
/// ```swift
/// let task = Task { try await workflow.run() }
/// let stop = StopSignals { task.cancel() }
/// _ = await task.result
/// if stop.requested { print("stopped by \(stop.signalName)") }
/// ```
final class StopSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = PthreadLock()
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

/// A pthread mutex: one lock without pulling in Foundation.
final class PthreadLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
