import Agent
import CharonSupport
import Synchronization
import TestSupport
import Testing

/// The reconcile loop on a manual clock: one pass per sleep, the retry interval while a check
/// fails, the full interval once all is well.
@Suite("Reconcile loop", .timeLimit(.minutes(2)))
struct ReconcileLoopTests {
    /// Counts the passes it is told about.
    final class PassCounter: HealthObserver {
        let passes = Mutex(0)
        func healthDidUpdate(_ snapshot: HealthSnapshot, changed: Set<String>) async {
            passes.withLock { $0 += 1 }
        }
        var count: Int { passes.withLock { $0 } }
    }

    @Test func failingChecksAreRetriedAfterTheRetryIntervalNotTheInterval() async throws {
        let scratch = try TemporaryDirectory()
        // No containerd: the image check fails every pass.
        let (reconciler, _) = try ImageReconcilerTests.reconciler(scratch)
        let model = HealthModel(node: "n", checks: [("containerd", .unhealthy, true), ("image", .unhealthy, true)])
        let pass = ReconcilePass(reconcilers: [reconciler], checks: [], model: model, metrics: AgentMetrics(), checkTimeout: .seconds(30))
        let counter = PassCounter()
        let clock = ManualClock()
        let loop = ReconcileLoop(
            pass: pass,
            observers: [counter],
            interval: .seconds(600),
            retryInterval: .seconds(60),
            shutdownGrace: .seconds(20),
            clock: clock
        )
        let running = Task { try await loop.run() }
        await clock.waitForSleeps(1)
        #expect(counter.count == 1)
        // ±10 % jitter around the 60 s retry interval, never the 600 s interval.
        let first = try #require(clock.sleeps.first)
        #expect(first >= .seconds(54) && first <= .seconds(66), "\(first)")
        clock.advance(by: .seconds(53))
        #expect(counter.count == 1, "no pass before the wait is over")
        clock.advance(by: .seconds(13))
        await clock.waitForSleeps(2)
        #expect(counter.count == 2)
        #expect(clock.sleeps.allSatisfy { $0 >= .seconds(54) && $0 <= .seconds(66) })
        running.cancel()
        _ = await running.result
        #expect(counter.count == 2, "cancelled while sleeping: no further pass")
    }
}
