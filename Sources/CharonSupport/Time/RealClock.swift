/// The production ``CharonClock``: `ContinuousClock.now` and `Task.sleep`.
///
/// ```swift
/// let clock: any CharonClock = RealClock()
/// try await clock.sleep(for: .seconds(10))
/// ```
public struct RealClock: CharonClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
