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
