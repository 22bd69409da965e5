import Agent
import Kubernetes
import Synchronization
import TestSupport
import Testing

/// Leader election on the fake API server's Lease API, time driven by a manual clock.
@Suite("fleet leader election")
struct LeaderElectionTests {
    static let namespace = "charon-system"
    static let name = "charon-node-fleet"
    static let timing = LeaderElector.Timing(leaseDuration: .seconds(60))

    static func elector(_ api: FakeKubernetesAPI, _ identity: String, _ clock: ManualLeaseClock) -> LeaderElector {
        LeaderElector(
            client: client(api),
            namespace: namespace,
            name: name,
            identity: identity,
            timing: timing,
            clock: clock,
            logger: FleetWorld.quietLogger
        )
    }

    static let token = "lease-test-token"
    /// Holds the token file for the whole test process.
    nonisolated(unsafe) static let scratch = try! TemporaryDirectory(prefix: "fleet-lease")
    /// The service account token file every client reads.
    static let tokenFile: String = try! scratch.write("token", token + "\n")

    static func api() async throws -> FakeKubernetesAPI {
        try await FakeKubernetesAPI.start(node: "node1", token: token)
    }

    static func client(_ api: FakeKubernetesAPI) -> KubernetesClient {
        KubernetesClient(configuration: KubernetesConfiguration(apiServer: api.baseURL, tokenFile: tokenFile, caFile: nil))
    }

    @Test("the first agent takes the Lease, the second waits; the holder renews, keeping acquireTime")
    func acquireAndRenew() async throws {
        let api = try await Self.api()
        try await withFake(api) { api in
            let clock = ManualLeaseClock()
            let a = Self.elector(api, "node-a_1", clock)
            let b = Self.elector(api, "node-b_2", clock)

            #expect(try await a.tryAcquireOrRenew())
            #expect(try await !b.tryAcquireOrRenew())
            #expect(api.leases.holder(namespace: Self.namespace, name: Self.name) == "node-a_1")
            let firstRenewal = try #require(api.leases.renewTime(namespace: Self.namespace, name: Self.name))
            #expect(MicroTime(parsing: firstRenewal) == clock.now())
            #expect(firstRenewal.count == "2026-12-02T09:00:00.000000Z".count, "MicroTime: six fractional digits")

            clock.advance(by: .seconds(20))
            #expect(try await a.tryAcquireOrRenew())
            #expect(MicroTime(parsing: api.leases.renewTime(namespace: Self.namespace, name: Self.name) ?? "") == clock.now())
            #expect(api.leases.transitions(namespace: Self.namespace, name: Self.name) == 0)
            clock.advance(by: .seconds(59))
            #expect(try await !b.tryAcquireOrRenew(), "renewed 59 s ago: still held")
        }
    }

    @Test("a Lease is taken over only once renewTime + leaseDurationSeconds has passed")
    func takeoverAfterExpiry() async throws {
        let api = try await Self.api()
        try await withFake(api) { api async throws in
            let clock = ManualLeaseClock()
            let a = Self.elector(api, "node-a_1", clock)
            let b = Self.elector(api, "node-b_2", clock)
            #expect(try await a.tryAcquireOrRenew())

            clock.advance(by: .seconds(59))
            #expect(try await !b.tryAcquireOrRenew())
            clock.advance(by: .seconds(1))
            #expect(try await b.tryAcquireOrRenew())
            #expect(api.leases.holder(namespace: Self.namespace, name: Self.name) == "node-b_2")
            #expect(api.leases.transitions(namespace: Self.namespace, name: Self.name) == 1)
            #expect(try await !a.tryAcquireOrRenew(), "the old leader sees it lost the Lease")
        }
    }

    @Test("a write with a stale resourceVersion is a 409 Conflict, and the elector reads again instead of assuming")
    func conflict() async throws {
        let api = try await Self.api()
        try await withFake(api) { api in
            let clock = ManualLeaseClock()
            let client = Self.client(api)
            let a = Self.elector(api, "node-a_1", clock)
            #expect(try await a.tryAcquireOrRenew())
            let stale = try #require(try await client.lease(namespace: Self.namespace, name: Self.name))
            clock.advance(by: .seconds(20))
            #expect(try await a.tryAcquireOrRenew())
            var write = stale
            write.spec.holderIdentity = "intruder"
            await #expect {
                _ = try await client.updateLease(write)
            } throws: { error in
                (error as? KubernetesError)?.isConflict == true
            }
            #expect(api.leases.holder(namespace: Self.namespace, name: Self.name) == "node-a_1")
            #expect(api.leases.conflicts == 1)
        }
    }

    @Test("two agents campaigning at once: exactly one leads, through many renewals")
    func exactlyOneLeader() async throws {
        let api = try await Self.api()
        try await withFake(api) { api in
            let clock = ManualLeaseClock()
            let leading = LeadingCount()
            var tasks: [Task<Void, any Error>] = []
            for identity in ["node-a_1", "node-b_2"] {
                let elector = Self.elector(api, identity, clock)
                tasks.append(
                    Task {
                        try await elector.run {
                            leading.change(identity, by: 1)
                            defer { leading.change(identity, by: -1) }
                            try await clock.sleep(for: .seconds(100_000))
                        }
                    }
                )
            }
            // Parked: the leader's work and renewal loop, the follower's retry wait.
            #expect(await clock.waitForSleepers(3))
            for _ in 0..<12 {
                let active = leading.active
                #expect(active.count == 1)
                #expect(active.first == api.leases.holder(namespace: Self.namespace, name: Self.name))
                clock.advance(by: .seconds(10))
                #expect(await clock.waitForSleepers(3))
            }
            #expect(api.leases.transitions(namespace: Self.namespace, name: Self.name) == 0, "no flapping")
            let reads = api.server.requests.filter { $0.method == "GET" }
            #expect(reads.contains { $0.query["resourceVersion"] == "0" }, "followers read from the cache")
            #expect(reads.contains { $0.query["resourceVersion"] == nil }, "the leader reads current data to renew")
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
            #expect(api.leases.holder(namespace: Self.namespace, name: Self.name) == nil, "released on shutdown")
        }
    }

    @Test("the leader stops renewing: another agent takes over within the lease duration plus one attempt")
    func leaderKilled() async throws {
        let api = try await Self.api()
        try await withFake(api) { api in
            let clock = ManualLeaseClock()
            var a = Self.elector(api, "node-a_1", clock)
            a.releaseOnCancel = false  // killed, not stopped: it never gets to clean up
            let b = Self.elector(api, "node-b_2", clock)
            let leaderA = Task { try await a.run { try await clock.sleep(for: .seconds(100_000)) } }
            #expect(await clock.waitForSleepers(2))
            #expect(api.leases.holder(namespace: Self.namespace, name: Self.name) == "node-a_1")
            let bLeads = LeadingCount()
            let follower = Task {
                try await b.run {
                    bLeads.change("node-b_2", by: 1)
                    try await clock.sleep(for: .seconds(100_000))
                }
            }
            #expect(await clock.waitForSleepers(3))
            leaderA.cancel()
            _ = await leaderA.result
            let lastRenewal = try #require(MicroTime(parsing: api.leases.renewTime(namespace: Self.namespace, name: Self.name) ?? ""))

            // Step in 5 s ticks; the follower retries every 30 s ±10%.
            var tookOverAt: MicroTime?
            for _ in 0..<40 {
                clock.advance(by: .seconds(5))
                #expect(await clock.waitForSleepers(1))
                if !bLeads.active.isEmpty {
                    #expect(await clock.waitForSleepers(2))
                    tookOverAt = clock.now()
                    break
                }
            }
            let takeover = try #require(tookOverAt)
            let waited = takeover.microseconds - lastRenewal.microseconds
            #expect(waited >= 60_000_000, "never before renewTime + leaseDurationSeconds")
            #expect(waited <= (60 + 33 + 5) * 1_000_000, "within the duration plus one retry period (30 s +10%) and one tick")
            #expect(api.leases.holder(namespace: Self.namespace, name: Self.name) == "node-b_2")
            #expect(api.leases.transitions(namespace: Self.namespace, name: Self.name) == 1)
            follower.cancel()
            _ = await follower.result
        }
    }
}
