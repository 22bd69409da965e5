import Dispatch
import Glibc

/// Turns SIGTERM and SIGINT into a callback on a dispatch queue (not in a signal handler), for the
/// commands that run until stopped (`fleet` without `--once`, `ingress firewall --watch`): the work
/// in flight is cancelled and the command exits 0.
///
/// ```swift
/// let loop = Task { await runPassesUntilCancelled() }
/// let stop = StopSignalWatcher { loop.cancel() }
/// await loop.value
/// withExtendedLifetime(stop) {}
/// ```
final class StopSignalWatcher: @unchecked Sendable {
    /// Written once, in init; the sources must live as long as the watcher.
    private var sources: [any DispatchSourceSignal] = []

    init(_ onStop: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { onStop() }
            source.resume()
            sources.append(source)
        }
    }
}
