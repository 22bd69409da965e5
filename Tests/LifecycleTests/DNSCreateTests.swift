import Cloudflare
import Headscale
import Lifecycle
import TestSupport
import Testing

/// A dns-create workflow running in a task on a manual clock. Each sleep of the workflow is a
/// point where its work is done: the test waits for the n-th sleep, asserts exact request counts,
/// and moves the clock on. No wall-clock wait decides an outcome.
struct RunningDNSCreate {
    let task: Task<Void, any Error>
    let clock: ManualClock

    /// Waits until the workflow has gone to sleep `count` times in all.
    func sleeps(_ count: Int) async { await clock.waitForSleeps(count) }

    /// Moves the clock on by `duration` and waits for the workflow's next sleep.
    func tick(_ duration: Duration) async {
        let before = clock.sleeps.count
        clock.advance(by: duration)
        await clock.waitForSleeps(before + 1)
    }

    func stop() async -> Result<Void, any Error> {
        task.cancel()
        return await task.result
    }
}

/// `dns-create` in-process against the fakes, on a manual clock.
@Suite("dns-create", .timeLimit(.minutes(2)))
struct DNSCreateTests {
    /// The default test setting: polls and monitor ticks 50 ms apart (on the manual clock).
    static let tick = Duration.milliseconds(50)

    static func run(_ world: LifecycleWorld, _ overrides: [String: String] = [:], clock: ManualClock = ManualClock()) throws -> RunningDNSCreate {
        let configuration = try world.configuration(overrides)
        let clients = world.clients(configuration)
        let task = Task {
            try await DNSCreateWorkflow(configuration: configuration, clients: clients, clock: clock, logger: LifecycleWorld.quietLogger).run()
        }
        return RunningDNSCreate(task: task, clock: clock)
    }

    static func managed(_ world: LifecycleWorld, _ type: String) -> [FakeCloudflare.Record] {
        world.cloudflare.records(named: LifecycleWorld.fqdn).filter { $0.type == type }
    }

    @Test("waits for the node to register, then creates one owned A and one AAAA record")
    func waitThenCreate() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            let run = try Self.run(world, ["MAX_RETRIES": "100"])
            await run.sleeps(1)
            await run.tick(Self.tick)
            #expect(world.headscale.requests.map(\.line) == ["GET /api/v1/node", "GET /api/v1/node"], "one list per RETRY_INTERVAL")
            #expect(world.cloudflare.requests.isEmpty, "no DNS work before the node exists")
            #expect(run.clock.sleeps == [Self.tick, Self.tick])
            world.headscale.addNode(
                name: LifecycleWorld.hostname,
                user: LifecycleWorld.user,
                ipAddresses: ["100.64.1.2", "fd7a:115c:a1e0::102"]
            )
            await run.tick(Self.tick)
            #expect(Self.managed(world, "A").count == 1 && Self.managed(world, "AAAA").count == 1)
            let a = try #require(Self.managed(world, "A").first)
            #expect(a.content == "100.64.1.2")
            #expect(a.comment == LifecycleWorld.marker)
            #expect(a.ttl == 60 && !a.proxied)
            #expect(Self.managed(world, "AAAA").first?.content == "fd7a:115c:a1e0::102")
            // Created with JSON and no tags.
            let posts = world.cloudflare.requests.filter { $0.method == "POST" }
            #expect(posts.count == 2)
            #expect(posts.allSatisfy { $0.headers["content-type"] == "application/json" && !$0.text.contains("tags") })
            #expect(await run.stop().isCancellation)
        }
    }

    @Test("an IPv4-only node gets an A record and no AAAA")
    func ipv4Only() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.3"])
            let run = try Self.run(world)
            await run.sleeps(1)
            #expect(Self.managed(world, "A").map(\.content) == ["100.64.1.3"])
            #expect(Self.managed(world, "AAAA").isEmpty)
            for _ in 0..<3 { await run.tick(Self.tick) }
            #expect(Self.managed(world, "AAAA").isEmpty)
            _ = await run.stop()
        }
    }

    @Test("an address change is followed by updating the record in place (PATCH, same id, comment kept)")
    func addressChange() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            let node = world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            let run = try Self.run(world)
            await run.sleeps(1)
            let before = try #require(Self.managed(world, "A").first)
            world.cloudflare.clearLog()
            world.headscale.setAddresses(nodeID: node, ["100.64.7.7"])
            await run.tick(Self.tick)
            let after = try #require(Self.managed(world, "A").first)
            #expect(after.content == "100.64.7.7")
            #expect(after.id == before.id)
            #expect(after.comment == LifecycleWorld.marker)
            #expect(Self.managed(world, "A").count == 1)
            #expect(world.cloudflare.requests.map(\.method) == ["GET", "PATCH"], "one listing, one update, at the first tick after the change")
            _ = await run.stop()
        }
    }

    @Test("a record deleted by hand is restored at the next re-check, not before")
    func restoresDeletedRecord() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            // Re-checks every 300 s ± 20 %: due between 240 s and 360 s.
            let run = try Self.run(world, ["MONITOR_INTERVAL": "10", "DNS_RECHECK_INTERVAL": "300"])
            await run.sleeps(1)
            let original = try #require(Self.managed(world, "A").first)
            world.cloudflare.removeRecord(id: original.id)
            world.cloudflare.clearLog()
            for _ in 1...23 { await run.tick(.seconds(10)) }
            #expect(world.cloudflare.requests.isEmpty, "230 s: the re-check is not due yet")
            #expect(Self.managed(world, "A").isEmpty)
            for _ in 24...36 { await run.tick(.seconds(10)) }
            let restored = try #require(Self.managed(world, "A").first)
            #expect(restored.id != original.id)
            #expect(restored.content == "100.64.1.2" && restored.comment == LifecycleWorld.marker)
            #expect(world.cloudflare.requests.map(\.method) == ["GET", "POST"], "one re-check by 360 s: a listing and the create")
            _ = await run.stop()
        }
    }

    @Test("duplicates are collapsed to one; foreign records and other types are left alone")
    func collapsesDuplicates() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            let cloudflare = world.cloudflare
            cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "100.64.9.9", comment: LifecycleWorld.marker)
            cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "100.64.1.2", comment: LifecycleWorld.marker)
            cloudflare.addRecord(name: "OLLAMA.example.com", type: "A", content: "100.100.1.1")
            let foreign = cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "198.51.100.7", comment: "someone else's")
            let txt = cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "TXT", content: "\"hello\"")
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            let run = try Self.run(world)
            await run.sleeps(1)
            let a = Self.managed(world, "A")
            #expect(Set(a.map(\.content)) == ["100.64.1.2", "198.51.100.7"])
            #expect(a.count == 2)
            #expect(a.contains { $0.id == foreign })
            #expect(cloudflare.records.contains { $0.id == txt })
            _ = await run.stop()
        }
    }

    @Test("quiet at steady state: Headscale polled once per tick, Cloudflare not called until the re-check")
    func quietAtSteadyState() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user)
            let run = try Self.run(world, ["MONITOR_INTERVAL": "30", "DNS_RECHECK_INTERVAL": "3600"])
            await run.sleeps(1)
            #expect(Self.managed(world, "A").count == 1 && Self.managed(world, "AAAA").count == 1)
            world.cloudflare.clearLog()
            world.headscale.clearLog()
            for _ in 0..<50 { await run.tick(.seconds(30)) }
            #expect(world.cloudflare.requests.isEmpty, "\(world.cloudflare.requests.map(\.line))")
            let polls = world.headscale.requests
            #expect(polls.count == 50, "one Headscale poll per MONITOR_INTERVAL")
            // Each poll reads the one node by id, not the user's whole node list.
            #expect(polls.allSatisfy { $0.line == "GET /api/v1/node/1" }, "\(Set(polls.map(\.line)))")
            #expect(Set(run.clock.sleeps) == [.seconds(30)])
            _ = await run.stop()
        }
    }

    @Test("a node that never registers fails after MAX_RETRIES polls, RETRY_INTERVAL apart")
    func neverRegisters() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "ollama-web", user: LifecycleWorld.user)
            let run = try Self.run(world, ["MAX_RETRIES": "4", "RETRY_INTERVAL": "7"], clock: ManualClock(skipping: true))
            let result = await run.task.result
            guard case .failure(let error) = result else {
                Issue.record("dns-create should fail when the node never registers")
                return
            }
            #expect("\(error)".contains("did not register"))
            #expect(world.headscale.requests.filter { $0.path == "/api/v1/node" }.count == 4)
            #expect(run.clock.sleeps == [.seconds(7), .seconds(7), .seconds(7)], "three waits between four polls")
            #expect(world.cloudflare.requests.isEmpty)
        }
    }

    @Test("Cloudflare 429 and 81058 during reconcile do not break the loop")
    func rateLimitedAndIdentical() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            world.cloudflare.faults.inject(.rateLimited(retryAfter: 1), times: 1, on: "GET")
            // The first create is answered 81058 (a concurrent creator won): list again, no duplicate.
            world.cloudflare.faults.inject(
                .response(
                    FakeResponse.json(
                        400,
                        #"{"success":false,"errors":[{"code":81058,"message":"An identical record already exists."}],"messages":[],"result":null}"#
                    )
                ),
                times: 1,
                on: "POST"
            )
            let run = try Self.run(world)
            await run.sleeps(1)
            // The 429 was waited out by the client; the 81058 with no such record listed fails this
            // pass, so the next monitor tick tries again.
            #expect(Self.managed(world, "A").isEmpty)
            #expect(world.cloudflare.requests.map(\.method) == ["GET", "GET", "POST", "GET"])
            await run.tick(Self.tick)
            #expect(Self.managed(world, "A").count == 1)
            for _ in 0..<3 { await run.tick(Self.tick) }
            #expect(Self.managed(world, "A").count == 1, "no duplicate")
            #expect(world.cloudflare.requests.map(\.method) == ["GET", "GET", "POST", "GET", "GET", "POST"])
            _ = await run.stop()
        }
    }

    @Test("a node that re-registers under a new id is found again by name and followed", arguments: FakeHeadscale.Version.allCases)
    func reRegistered(version: FakeHeadscale.Version) async throws {
        let world = try await LifecycleWorld.start(version: version)
        try await withFake(world) { world in
            let first = world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            let run = try Self.run(world)
            await run.sleeps(1)
            let record = try #require(Self.managed(world, "A").first)
            #expect(record.content == "100.64.1.2")
            world.headscale.removeNode(id: first)
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.3.3"])
            await run.tick(Self.tick)
            #expect(Self.managed(world, "A").map(\.content) == ["100.64.3.3"])
            #expect(Self.managed(world, "A").map(\.id) == [record.id])
            _ = await run.stop()
        }
    }
}

extension Result {
    /// Whether the task ended by cancellation (directly or as a cancelled request).
    var isCancellation: Bool {
        guard case .failure(let error) = self else { return false }
        if error is CancellationError { return true }
        return "\(error)".contains("cancelled")
    }
}

/// Rate limiting beyond the HTTP client's deadline.
@Suite("dns-create under a long rate limit", .timeLimit(.minutes(2)))
struct DNSCreateRateLimitTests {
    @Test("a 429 with a Retry-After longer than the request deadline pauses Cloudflare calls for that long")
    func longRetryAfter() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            // LifecycleWorld's clients give up waiting after 8 s: a 30 s Retry-After comes back to the loop.
            world.cloudflare.faults.inject(.rateLimited(retryAfter: 30), times: 1, on: "GET")
            let run = try DNSCreateTests.run(world, ["MONITOR_INTERVAL": "1"])
            await run.sleeps(1)
            #expect(world.cloudflare.requests.count == 1)
            #expect(world.headscale.requests.count == 1)
            // 29 monitor ticks: Headscale polled at each, Cloudflare left alone.
            for _ in 1...29 { await run.tick(.seconds(1)) }
            #expect(world.cloudflare.requests.count == 1, "no Cloudflare call before the 30 s Retry-After has passed")
            #expect(world.headscale.requests.count == 30)
            #expect(Self.managed(world).isEmpty)
            // The 30th second: the wait is over, the record is created.
            await run.tick(.seconds(1))
            #expect(world.cloudflare.requests.map(\.method) == ["GET", "GET", "POST"])
            #expect(Self.managed(world).count == 1)
            _ = await run.stop()
        }
    }

    static func managed(_ world: LifecycleWorld) -> [FakeCloudflare.Record] { DNSCreateTests.managed(world, "A") }
}
