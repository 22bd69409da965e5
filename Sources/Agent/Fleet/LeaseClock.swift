import Kubernetes

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
