import Kubernetes
import Logging

/// Leader election on a `coordination.k8s.io/v1` Lease, with the standard semantics
/// (client-go's): the holder renews `renewTime` every ``Timing/renewPeriod``; anyone else takes
/// the Lease only once `renewTime + leaseDurationSeconds` has passed, setting `acquireTime` and
/// counting `leaseTransitions`; every write carries the `resourceVersion` read, and a 409 Conflict
/// means "read again", never "assume". A leader that cannot renew within
/// ``Timing/renewDeadline`` stops leading before its Lease can expire.
///
/// ```swift
/// let elector = LeaderElector(client: client, namespace: "charon-system", name: "charon-node-fleet",
///                             identity: "node1_3f9a2c", timing: .init(leaseDuration: .seconds(60)))
/// try await elector.run { try await runFleetPassesUntilCancelled() }
/// ```
public struct LeaderElector: Sendable {
    /// How long a Lease counts, and how often it is renewed or tried.
    public struct Timing: Sendable, Equatable {
        /// `leaseDurationSeconds`: how long others wait after the last renewal.
        public var leaseDuration: Duration
        /// Time between the leader's renewals (a third of the duration by default).
        public var renewPeriod: Duration
        /// A leader whose last renewal is older than this stops leading (two thirds by default).
        public var renewDeadline: Duration
        /// Time between a follower's attempts (half the duration by default, ±10%).
        public var retryPeriod: Duration

        public init(leaseDuration: Duration, renewPeriod: Duration? = nil, renewDeadline: Duration? = nil, retryPeriod: Duration? = nil) {
            self.leaseDuration = leaseDuration
            self.renewPeriod = renewPeriod ?? leaseDuration / 3
            self.renewDeadline = renewDeadline ?? leaseDuration * 2 / 3
            self.retryPeriod = retryPeriod ?? leaseDuration / 2
        }
    }

    public let client: KubernetesClient
    public let namespace: String
    public let name: String
    public let identity: String
    public let timing: Timing
    public let clock: any LeaseClock
    /// Clear the Lease when stopped while leading, so another agent takes over at once.
    public var releaseOnCancel = true
    let logger: Logger

    public init(
        client: KubernetesClient,
        namespace: String,
        name: String,
        identity: String,
        timing: Timing,
        clock: any LeaseClock = SystemLeaseClock(),
        logger: Logger = Logger(label: "charon.fleet")
    ) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.timing = timing
        self.clock = clock
        self.logger = logger
    }

    var durationSeconds: Int { max(1, Int(timing.leaseDuration.components.seconds)) }

    /// One attempt: reads the Lease and takes or renews it if it is free, expired or already
    /// ours. Returns whether this identity holds it afterwards; a 409 (someone wrote first) is
    /// `false`, other failures throw. Followers read from the API server's cache (`cachedRead`);
    /// the leader reads current data, so its renewals do not trip over a stale resourceVersion.
    public func tryAcquireOrRenew(cachedRead: Bool = false) async throws -> Bool {
        let now = clock.now()
        guard let current = try await client.lease(namespace: namespace, name: name, cached: cachedRead) else {
            var lease = Lease(name: name, namespace: namespace)
            lease.spec = Lease.Spec(
                holderIdentity: identity,
                leaseDurationSeconds: durationSeconds,
                acquireTime: now,
                renewTime: now,
                leaseTransitions: 0
            )
            do {
                _ = try await client.createLease(lease)
                return true
            } catch let error as KubernetesError where error.isConflict {
                return false
            }
        }
        let holder = current.spec.holderIdentity ?? ""
        if !holder.isEmpty && holder != identity && !Self.hasExpired(current.spec, at: now) { return false }
        var next = current
        if holder != identity {
            next.spec.acquireTime = now
            next.spec.leaseTransitions = (current.spec.leaseTransitions ?? 0) + 1
        }
        next.spec.holderIdentity = identity
        next.spec.renewTime = now
        next.spec.leaseDurationSeconds = durationSeconds
        do {
            _ = try await client.updateLease(next)
            if holder != identity {
                logger.notice("leader election: \(identity) took Lease \(namespace)/\(name)\(holder.isEmpty ? "" : " from \(holder)")")
            }
            return true
        } catch let error as KubernetesError where error.isConflict {
            return false
        }
    }

    /// Whether a Lease held by someone else may be taken: its last renewal plus its duration lies
    /// in the past. A Lease without a renewal time counts from its acquisition.
    static func hasExpired(_ spec: Lease.Spec, at now: MicroTime) -> Bool {
        guard let renewed = spec.renewTime ?? spec.acquireTime else { return true }
        let duration = Int64(spec.leaseDurationSeconds ?? 0) * 1_000_000
        return now.microseconds >= renewed.microseconds + duration
    }

    /// Gives the Lease up if this identity holds it: no holder, so the next attempt of any other
    /// agent takes it without waiting out the duration.
    public func release() async {
        do {
            guard var lease = try await client.lease(namespace: namespace, name: name), lease.spec.holderIdentity == identity else { return }
            lease.spec.holderIdentity = nil
            lease.spec.renewTime = clock.now()
            lease.spec.leaseDurationSeconds = 1
            _ = try await client.updateLease(lease)
            logger.notice("leader election: \(identity) released Lease \(namespace)/\(name)")
        } catch {
            logger.warning("leader election: could not release Lease \(namespace)/\(name): \(error)")
        }
    }

    /// Campaigns until cancelled. While leading, `work` runs; it is cancelled when leadership is
    /// lost (a renewal refused, or none succeeded within the renew deadline), and started again
    /// when it is won back. On cancellation the Lease is released if held (``releaseOnCancel``).
    public func run(whileLeading work: @escaping @Sendable () async throws -> Void) async throws {
        while !Task.isCancelled {
            let leading: Bool
            do {
                leading = try await tryAcquireOrRenew(cachedRead: true)
            } catch {
                logger.warning("leader election: cannot read or write Lease \(namespace)/\(name): \(error)")
                leading = false
            }
            if leading {
                await lead(work)
                if Task.isCancelled { break }
            }
            do {
                try await clock.sleep(for: timing.retryPeriod * Double.random(in: 0.9...1.1))
            } catch {
                break
            }
        }
        if releaseOnCancel {
            // A task of its own: this one is cancelled, and a cancelled task sends no request.
            let elector = self
            await Task { await elector.release() }.value
        }
    }

    /// Leads until leadership is lost or the task is cancelled: `work` beside a renewal loop.
    func lead(_ work: @escaping @Sendable () async throws -> Void) async {
        logger.notice("leader election: \(identity) leads (Lease \(namespace)/\(name))")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await work() } catch {}
            }
            group.addTask { await renewUntilLost() }
            // Either ending ends both: lost leadership stops the work; finished work stops renewing.
            _ = await group.next()
            group.cancelAll()
        }
        if !Task.isCancelled { logger.warning("leader election: \(identity) no longer leads") }
    }

    /// Renews every renew period; returns once the Lease is lost, or when renewals kept failing
    /// past the renew deadline.
    func renewUntilLost() async {
        var lastRenewal = clock.now()
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: timing.renewPeriod)
            } catch {
                return
            }
            do {
                if try await tryAcquireOrRenew() {
                    lastRenewal = clock.now()
                    continue
                }
                logger.warning("leader election: Lease \(namespace)/\(name) was taken over")
                return
            } catch {
                logger.warning("leader election: renewal failed: \(error)")
            }
            if clock.now().microseconds - lastRenewal.microseconds >= Self.microseconds(timing.renewDeadline) { return }
        }
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
