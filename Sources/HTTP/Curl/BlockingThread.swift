import Glibc

/// Runs blocking work (a libcurl transfer) on its own POSIX thread and awaits its result, so the
/// cooperative pool's few threads are never held by network waits.
///
/// ```swift
/// let status = await BlockingThread.run { performTransfer() }
/// ```
enum BlockingThread {
    private final class Job {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = Job { continuation.resume(returning: body()) }
            let argument = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            // libcurl and our callbacks need little stack; 512 KiB keeps many transfers cheap.
            pthread_attr_setstacksize(&attributes, 512 * 1024)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            let result = pthread_create(
                &thread,
                &attributes,
                { raw in
                    // Stop signals are for the program's own handling (ServiceLifecycle in the
                    // agent, StopSignals in charon-lifecycle), never for a transfer thread or the
                    // resolver threads libcurl starts from it (they inherit this mask): a signal
                    // the kernel hands to one of them can be lost to a dispatch signal source.
                    var stopSignals = sigset_t()
                    sigemptyset(&stopSignals)
                    sigaddset(&stopSignals, SIGTERM)
                    sigaddset(&stopSignals, SIGINT)
                    pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
                    Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().work()
                    return nil
                },
                argument
            )
            pthread_attr_destroy(&attributes)
            if result != 0 {
                // No thread to be had: run inline rather than fail the request.
                Unmanaged<Job>.fromOpaque(argument).takeRetainedValue().work()
            }
        }
    }
}
