import Kubernetes

#if canImport(Glibc)
import Glibc
#endif

/// The time source of leader election: the wall-clock time written into the Lease, and the waits
/// between attempts. Tests pass a manual clock and move time themselves.
///
/// ```swift
/// let clock: any LeaseClock = SystemLeaseClock()
/// let now = clock.now()            // MicroTime, wall clock
/// try await clock.sleep(for: .seconds(20))
/// ```
public protocol LeaseClock: Sendable {
    func now() -> MicroTime
    func sleep(for duration: Duration) async throws
}

/// The real clock: `CLOCK_REALTIME` for the Lease times, `Task.sleep` for the waits.
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
