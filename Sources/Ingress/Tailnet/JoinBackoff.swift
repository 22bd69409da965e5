import CharonSupport
import Synchronization

/// Spaces out failed joins: after the n-th failure in a row the next attempt waits
/// `initial × 2ⁿ⁻¹` (capped at `maximum`), lengthened by up to `jitter` so a fleet that failed
/// together does not retry together. A join that succeeds (or finds the node joined) resets it.
///
/// Every attempt can delete registrations and mints a pre-auth key that Headscale keeps, so
/// the agent's pass interval must not be the join's retry interval: with the defaults a node
/// whose every key is refused tries at 0 s, ≥ 15 s, ≥ 45 s, ≥ 105 s, ≥ 225 s, … and at most every
/// 10 minutes after that. A backed-off pass returns at once: the image work is not slowed.
///
/// One instance lives as long as the agent; the join is rebuilt every pass (settings reload)
/// and is handed the same backoff each time.
///
/// ```swift
/// let backoff = JoinBackoff()
/// if let wait = backoff.remaining(at: clock.now) { throw … }   // still backing off
/// backoff.recordFailure("Headscale refused the key", at: clock.now)
/// backoff.recordSuccess()
/// ```
public final class JoinBackoff: Sendable {
    public struct Policy: Sendable, Equatable {
        public var initial: Duration
        public var maximum: Duration
        /// The largest fraction a delay is lengthened by (never shortened: the bound on keys holds).
        public var jitter: Double

        public init(initial: Duration = .seconds(15), maximum: Duration = .seconds(600), jitter: Double = 0.25) {
            self.initial = initial
            self.maximum = maximum
            self.jitter = jitter
        }
    }

    /// Where the backoff stands, for `/status` and the log.
    public struct State: Sendable, Equatable {
        /// Failed attempts in a row.
        public var failures: Int
        /// The earliest instant of the next attempt; nil when not backing off.
        public var notBefore: ContinuousClock.Instant?
        /// The last failure, already redacted by whoever recorded it.
        public var lastError: String?

        public init(failures: Int = 0, notBefore: ContinuousClock.Instant? = nil, lastError: String? = nil) {
            self.failures = failures
            self.notBefore = notBefore
            self.lastError = lastError
        }
    }

    public let policy: Policy
    private let random: @Sendable () -> Double
    private let state = Mutex(State())

    /// `random` returns a number in 0...1 (tests pin it).
    public init(policy: Policy = Policy(), random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.policy = policy
        self.random = random
    }

    public var current: State { state.withLock { $0 } }

    /// How long until the next attempt may run; nil when it may run now.
    public func remaining(at now: ContinuousClock.Instant) -> Duration? {
        state.withLock { state in
            guard let notBefore = state.notBefore, now < notBefore else { return nil }
            return now.duration(to: notBefore)
        }
    }

    /// Records a failed attempt and returns the delay before the next one.
    @discardableResult
    public func recordFailure(_ message: String, at now: ContinuousClock.Instant) -> Duration {
        let fraction = min(max(random(), 0), 1)
        return state.withLock { state in
            state.failures += 1
            state.lastError = message
            let delay = Self.delay(afterFailures: state.failures, policy: policy, jitterFraction: fraction)
            state.notBefore = now + delay
            return delay
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = State() }
    }

    /// `initial × 2ⁿ⁻¹`, capped, times `1 + jitter × jitterFraction`.
    public static func delay(afterFailures failures: Int, policy: Policy, jitterFraction: Double) -> Duration {
        let doublings = min(max(failures - 1, 0), 30)
        let base = min(policy.initial * Double(1 << doublings), policy.maximum)
        return base * (1 + policy.jitter * jitterFraction)
    }
}
