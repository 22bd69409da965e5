import CharonSupport
import Synchronization

/// A ``CharonClock`` for tests: time moves only when the test says so, and every sleep is
/// recorded, so a test asserts exact counts ("one PATCH", "ten polls") whatever the machine's load.
///
/// Manual mode (the default): `sleep(for:)` suspends until ``advance(by:)`` moves the clock past
/// its end. The code under test reaches a known point when it goes to sleep; ``waitForSleeps(_:)``
/// suspends the test until the n-th sleep call, with no deadline deciding anything.
///
/// Skipping mode (`skipping: true`): every sleep returns at once and moves the clock forward by
/// its duration, for code whose waits only need to be counted (retry backoff).
///
/// ```swift
/// let clock = ManualClock()
/// let task = Task { try await poller.run(clock: clock) }
/// await clock.waitForSleeps(1)       // the poller polled once and sleeps now
/// clock.advance(by: .seconds(30))
/// await clock.waitForSleeps(2)       // exactly one more poll
/// ```
public final class ManualClock: CharonClock {
    private struct Sleeper {
        var id: Int
        var end: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var sleeps: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: ContinuousClock.Instant
        var sleeps: [Duration] = []
        var sleepers: [Sleeper] = []
        var waiters: [Waiter] = []
        /// Sleeps cancelled before they were registered.
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    public let skipping: Bool
    private let origin: ContinuousClock.Instant
    private let state: Mutex<State>

    public init(skipping: Bool = false) {
        self.skipping = skipping
        let start = ContinuousClock.now
        origin = start
        state = Mutex(State(now: start))
    }

    public var now: ContinuousClock.Instant { state.withLock { $0.now } }

    /// Time this clock has moved since it was made.
    public var elapsed: Duration { origin.duration(to: now) }

    /// Every duration a sleep was asked for, oldest first.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Tasks sleeping on this clock right now.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        if skipping {
            let waiters = state.withLock { state in
                state.sleeps.append(duration)
                state.now = state.now + max(duration, .zero)
                return Self.takeReadyWaiters(&state)
            }
            for waiter in waiters { waiter.resume() }
            await Task.yield()
            try Task.checkCancellation()
            return
        }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, waiters) = state.withLock { state -> (Bool?, [CheckedContinuation<Void, Never>]) in
                    if state.cancelled.remove(id) != nil { return (nil, []) }
                    state.sleeps.append(duration)
                    let end = state.now + max(duration, .zero)
                    let ready = end <= state.now
                    if !ready { state.sleepers.append(Sleeper(id: id, end: end, continuation: continuation)) }
                    return (ready, Self.takeReadyWaiters(&state))
                }
                for waiter in waiters { waiter.resume() }
                switch resumeNow {
                case nil: continuation.resume(throwing: CancellationError())
                case true?: continuation.resume()
                case false?: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleep that has ended by then, in order of their ends.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now + duration
            let now = state.now
            let due = state.sleepers.filter { $0.end <= now }.sorted { $0.end < $1.end }
            state.sleepers.removeAll { $0.end <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until `count` sleeps have been asked for in total (counting from the clock's start).
    public func waitForSleeps(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sleeps.count >= count { return true }
                state.waiters.append(Waiter(sleeps: count, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func takeReadyWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let count = state.sleeps.count
        let ready = state.waiters.filter { $0.sleeps <= count }.map(\.continuation)
        state.waiters.removeAll { $0.sleeps <= count }
        return ready
    }
}
