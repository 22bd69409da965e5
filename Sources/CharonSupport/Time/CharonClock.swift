/// The time source of everything that waits, polls, backs off or sends heartbeats: an input, so
/// tests drive a manual clock and assert exact counts instead of racing the wall clock.
///
/// Instants are `ContinuousClock` instants (monotonic, including time suspended), so a clock's
/// `now` can be stored and compared like `ContinuousClock.now`.
///
/// ```swift
/// struct Poller {
///     var clock: any CharonClock = RealClock()
///     func run() async throws {
///         let started = clock.now
///         try await clock.sleep(for: .seconds(30))  // a test's manual clock decides when this returns
///         print(started.duration(to: clock.now))
///     }
/// }
/// ```
public protocol CharonClock: Sendable {
    /// The current instant on this clock.
    var now: ContinuousClock.Instant { get }

    /// Suspends for `duration` of this clock's time; throws `CancellationError` when the task is
    /// cancelled first.
    func sleep(for duration: Duration) async throws
}
