import CharonSupport
import NIOCore
import Synchronization

/// The agent's memory of every check, shared by the reconcile loop (which writes it) and the
/// status server (which reads it). Requests never run a check: they read what the last pass left,
/// and `/status` is even encoded once per pass, so serving it costs a lock and a buffer copy.
///
/// ```swift
/// let model = HealthModel(node: "node1", checks: [("containerd", .unhealthy, true)])
/// model.record("containerd", .ok("containerd 1.7.24"), at: .now)
/// model.publish()
/// model.snapshot.overall  // .healthy
/// ```
public final class HealthModel: Sendable {
    struct State {
        /// The checks as last recorded (a pass in flight may be half-way through them).
        var snapshot: HealthSnapshot
        /// `/status` as last encoded from `snapshot`: at the end of a pass, or on fleet news.
        var statusBody: ByteBuffer
        /// When the pass in flight began (`nil` between passes): a stalled loop fails `/healthz`.
        var passStarted: ContinuousClock.Instant?

        init(snapshot: HealthSnapshot) {
            self.snapshot = snapshot
            statusBody = ByteBuffer()
            encodeStatus()
        }

        /// Encodes `/status` from `snapshot`.
        mutating func encodeStatus() {
            statusBody = ByteBuffer(bytes: StatusDocument(snapshot).encoded())
        }
    }

    private let state: Mutex<State>
    /// Times the pass in flight for the stall detector.
    let clock: any CharonClock

    /// - Parameter checks: every check's name, impact and whether something provides it, in the
    ///   order `/status` lists them.
    /// - Parameter fleet: whether this agent campaigns for the fleet pass (`/status` then has a
    ///   `fleet` object).
    public init(
        node: String,
        version: String = CharonVersion.current,
        checks: [(name: String, impact: HealthImpact, configured: Bool)],
        fleet: Bool = false,
        clock: any CharonClock = RealClock()
    ) {
        self.clock = clock
        let entries = checks.map { CheckEntry(name: $0.name, impact: $0.impact, configured: $0.configured) }
        let snapshot = HealthSnapshot(
            node: node,
            version: version,
            overall: HealthState(failedImpacts: entries.filter(\.isFailing).map(\.impact)),
            ready: false,
            checks: entries,
            passes: 0,
            lastPass: nil,
            fleet: fleet ? FleetReport() : nil
        )
        state = Mutex(State(snapshot: snapshot))
    }

    /// Stores one result. Returns whether the check changed state (`ok` or `reason`), which is what
    /// moves `lastChange` and makes the Kubernetes reporter patch.
    @discardableResult
    public func record(_ name: String, _ result: HealthCheckResult, at time: Timestamp = .now) -> Bool {
        state.withLock { state in
            guard let index = state.snapshot.checks.firstIndex(where: { $0.name == name }) else { return false }
            var entry = state.snapshot.checks[index]
            let changed = entry.lastChecked == nil || entry.result.ok != result.ok || entry.result.reason != result.reason
            entry.result = result
            entry.lastChecked = time
            if changed { entry.lastChange = time }
            state.snapshot.checks[index] = entry
            return changed
        }
    }

    /// Marks the start of a pass (for the stall detector behind `/healthz` and the watchdog).
    public func passDidStart() {
        let now = clock.now
        state.withLock { $0.passStarted = now }
    }

    /// Recomputes the overall state and readiness after a pass and re-encodes `/status`.
    @discardableResult
    public func publish(at time: Timestamp = .now) -> HealthSnapshot {
        state.withLock { state in
            var snapshot = state.snapshot
            snapshot.overall = HealthState(failedImpacts: snapshot.checks.filter(\.isFailing).map(\.impact))
            snapshot.ready = snapshot[HealthCheckName.image]?.result.ok ?? false
            snapshot.passes += 1
            snapshot.lastPass = time
            state.snapshot = snapshot
            state.encodeStatus()
            state.passStarted = nil
            return snapshot
        }
    }

    /// Updates the fleet report and re-encodes `/status` at once: the fleet service runs beside
    /// the reconcile loop, and its news should not wait for the next pass. Ignored when the model
    /// was made without `fleet`.
    public func updateFleet(_ change: (inout FleetReport) -> Void) {
        state.withLock { state in
            guard var report = state.snapshot.fleet else { return }
            change(&report)
            state.snapshot.fleet = report
            state.encodeStatus()
        }
    }

    public var snapshot: HealthSnapshot { state.withLock { $0.snapshot } }

    /// The `/status` document of the last pass.
    public var statusBody: ByteBuffer { state.withLock { $0.statusBody } }

    public var isReady: Bool { state.withLock { $0.snapshot.ready } }

    /// `true` unless a pass has been running longer than `limit`: the loop is wedged (a build
    /// waiting forever on a lock, a `ctr` that never returns) and a restart is the cure.
    public func isAlive(stallLimit limit: Duration) -> Bool {
        let now = clock.now
        return state.withLock { state in
            guard let started = state.passStarted else { return true }
            return started.duration(to: now) < limit
        }
    }
}
