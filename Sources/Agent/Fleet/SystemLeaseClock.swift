import Kubernetes

#if canImport(Glibc)
import Glibc
#endif

/// The real clock: `CLOCK_REALTIME` for the Lease times, `Task.sleep` for the waits.
///
/// ```swift
/// let elector = LeaderElector(client: client, namespace: ns, name: name, identity: id,
///                             timing: timing, clock: SystemLeaseClock())
/// ```
public struct SystemLeaseClock: LeaseClock {
    public init() {}

    public func now() -> MicroTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return MicroTime(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
