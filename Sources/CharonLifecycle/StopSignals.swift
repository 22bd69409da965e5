import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM and SIGINT into a callback, called on a thread of its own, and remembers which
/// signal came.
///
/// Why not a dispatch signal source: on Linux it reads signals through a `signalfd`, which sees a
/// signal only while it is pending, and the kernel hands it to any thread that does not block it.
/// The async main's thread waits in `sigsuspend` with nothing blocked, and libcurl's threads block
/// nothing either: a signal taken there was lost (the pod ran on until its grace period ended) or,
/// before the source existed, ended the process with the default action (exit 143 instead of 0).
/// So ``install()``, the first thing `main` does, sets a process-wide handler whichever thread
/// takes the signal: it writes the signal's number into a pipe (the only async-signal-safe way to
/// pass it on), and a thread of ours reads the pipe. A signal sent before anyone listens waits in
/// the pipe.
///
/// ```swift
/// StopSignals.install()  // first thing in main
/// let task = Task { try await workflow.run() }
/// let stop = StopSignals { task.cancel() }
/// _ = await task.result
/// if stop.requested { print("stopped by \(stop.signalName)") }
/// ```
final class StopSignals: Sendable {
    /// The last stop signal's number, 0 before any.
    private let received = Mutex<Int32>(0)

    /// The pipe the handler writes to; -1 until ``install()``.
    nonisolated(unsafe) private static var pipeEnds: (read: Int32, write: Int32) = (-1, -1)

    /// Installs the handler for SIGTERM and SIGINT. Call once, before anything else runs.
    static func install() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }  // no pipe: the default action stays
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        pipeEnds = (ends[0], ends[1])
        for number in [SIGTERM, SIGINT] {
            _ = signal(number) { number in
                // Async-signal-safe only: one write(2) of one byte.
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(StopSignals.pipeEnds.write, &byte, 1)
            }
        }
    }

    /// Starts the thread that calls `onStop` for every stop signal (a second SIGTERM is harmless).
    init(_ onStop: @escaping @Sendable () -> Void) {
        let readEnd = Self.pipeEnds.read
        guard readEnd >= 0 else { return }
        let reader = Reader(descriptor: readEnd) { [weak self] number in
            self?.received.withLock { $0 = number }
            onStop()
        }
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 64 * 1024)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let argument = Unmanaged.passRetained(reader).toOpaque()
        let started = pthread_create(
            &thread,
            &attributes,
            { raw in
                Unmanaged<Reader>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            },
            argument
        )
        pthread_attr_destroy(&attributes)
        if started != 0 {
            // No thread: give the signals their default action back (the process ends on one).
            Unmanaged<Reader>.fromOpaque(argument).release()
            _ = signal(SIGTERM, SIG_DFL)
            _ = signal(SIGINT, SIG_DFL)
        }
    }

    var requested: Bool { received.withLock { $0 != 0 } }
    var signalName: String { received.withLock { $0 == SIGINT ? "SIGINT" : "SIGTERM" } }

    /// The reading thread's work.
    private final class Reader {
        let descriptor: Int32
        let onSignal: (Int32) -> Void

        init(descriptor: Int32, _ onSignal: @escaping (Int32) -> Void) {
            self.descriptor = descriptor
            self.onSignal = onSignal
        }

        func run() {
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count == 1 {
                    onSignal(Int32(byte))
                } else if count == 0 || errno != EINTR {
                    return
                }
            }
        }
    }
}
