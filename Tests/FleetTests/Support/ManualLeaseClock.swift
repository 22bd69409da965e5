import Agent
import Kubernetes
import Synchronization

/// A ``LeaseClock`` that only moves when the test says so: `sleep` parks the caller until
/// ``advance(by:)`` moves time past its deadline. ``waitForSleepers(_:)`` waits until that many
/// callers are parked, so a test acts only once every loop has finished its step: no real time
/// is involved in any outcome.
///
/// ```swift
/// let clock = ManualLeaseClock()
/// await clock.waitForSleepers(2)
/// clock.advance(by: .seconds(30))
/// ```
final class ManualLeaseClock: LeaseClock {
    private struct Sleeper {
        var id: Int
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var nextID = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    init(startingAt microseconds: Int64 = 1_796_202_000_000_000) {
        state = Mutex(State(now: microseconds))
    }

    func now() -> MicroTime { MicroTime(microseconds: state.withLock { $0.now }) }

    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(for duration: Duration) async throws {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: state.now + max(0, micros), continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let due = state.withLock { state -> [Sleeper] in
            state.now += seconds * 1_000_000 + attoseconds / 1_000_000_000_000
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (polling, up to 10 s of real time as a safety net) until `count` callers are parked.
    @discardableResult
    func waitForSleepers(_ count: Int) async -> Bool {
        for _ in 0..<2_000 {
            if sleeperCount >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return sleeperCount >= count
    }
}
