import Cloudflare
import Headscale
import Lifecycle
import TestSupport
import Testing

/// `dns-create` in-process against the fakes, with intervals of milliseconds.
@Suite("dns-create")
struct DNSCreateTests {
    static func run(_ world: LifecycleWorld, _ overrides: [String: String] = [:]) throws -> Task<Void, any Error> {
        let configuration = try world.configuration(overrides)
        let clients = world.clients(configuration)
        return Task { try await DNSCreateWorkflow(configuration: configuration, clients: clients, logger: LifecycleWorld.quietLogger).run() }
    }

    static func managed(_ world: LifecycleWorld, _ type: String) -> [FakeCloudflare.Record] {
        world.cloudflare.records(named: LifecycleWorld.fqdn).filter { $0.type == type }
    }

    @Test("waits for the node to register, then creates one owned A and one AAAA record")
    func waitThenCreate() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        let task = try Self.run(world, ["MAX_RETRIES": "100"])
        try await Task.sleep(for: .milliseconds(200))
        #expect(world.cloudflare.requests.isEmpty, "no DNS work before the node exists")
        let node = world.headscale.addNode(
            name: LifecycleWorld.hostname,
            user: LifecycleWorld.user,
            ipAddresses: ["100.64.1.2", "fd7a:115c:a1e0::102"]
        )
        #expect(await eventually { Self.managed(world, "A").count == 1 && Self.managed(world, "AAAA").count == 1 })
        let a = try #require(Self.managed(world, "A").first)
        #expect(a.content == "100.64.1.2")
        #expect(a.comment == LifecycleWorld.marker)
        #expect(a.ttl == 60 && !a.proxied)
        #expect(Self.managed(world, "AAAA").first?.content == "fd7a:115c:a1e0::102")
        // Created with JSON and no tags.
        let posts = world.cloudflare.requests.filter { $0.method == "POST" }
        #expect(posts.count == 2)
        #expect(posts.allSatisfy { $0.headers["content-type"] == "application/json" && !$0.text.contains("tags") })
        _ = node
        task.cancel()
        #expect(await task.result.isCancellation)
    }

    @Test("an IPv4-only node gets an A record and no AAAA")
    func ipv4Only() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.3"])
        let task = try Self.run(world)
        #expect(await eventually { Self.managed(world, "A").count == 1 })
        try await Task.sleep(for: .milliseconds(150))
        #expect(Self.managed(world, "AAAA").isEmpty)
        task.cancel()
        _ = await task.result
    }

    @Test("an address change is followed by updating the record in place (PATCH, same id, comment kept)")
    func addressChange() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        let node = world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        let task = try Self.run(world)
        #expect(await eventually { Self.managed(world, "A").count == 1 })
        let before = try #require(Self.managed(world, "A").first)
        world.cloudflare.clearLog()
        world.headscale.setAddresses(nodeID: node, ["100.64.7.7"])
        #expect(await eventually { Self.managed(world, "A").first?.content == "100.64.7.7" })
        let after = try #require(Self.managed(world, "A").first)
        #expect(after.id == before.id)
        #expect(after.comment == LifecycleWorld.marker)
        #expect(Self.managed(world, "A").count == 1)
        let methods = world.cloudflare.requests.map(\.method)
        #expect(methods.contains("PATCH") && !methods.contains("POST") && !methods.contains("PUT") && !methods.contains("DELETE"))
        task.cancel()
        _ = await task.result
    }

    @Test("a record deleted by hand is restored at the next re-check")
    func restoresDeletedRecord() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        let task = try Self.run(world, ["DNS_RECHECK_INTERVAL": "0.2"])
        #expect(await eventually { Self.managed(world, "A").count == 1 })
        let original = try #require(Self.managed(world, "A").first)
        world.cloudflare.removeRecord(id: original.id)
        #expect(await eventually { Self.managed(world, "A").count == 1 })
        let restored = try #require(Self.managed(world, "A").first)
        #expect(restored.id != original.id)
        #expect(restored.content == "100.64.1.2" && restored.comment == LifecycleWorld.marker)
        task.cancel()
        _ = await task.result
    }

    @Test("duplicates are collapsed to one; foreign records and other types are left alone")
    func collapsesDuplicates() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        let cloudflare = world.cloudflare
        cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "100.64.9.9", comment: LifecycleWorld.marker)
        cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "100.64.1.2", comment: LifecycleWorld.marker)
        cloudflare.addRecord(name: "OLLAMA.example.com", type: "A", content: "100.100.1.1")
        let foreign = cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "198.51.100.7", comment: "someone else's")
        let txt = cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "TXT", content: "\"hello\"")
        world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        let task = try Self.run(world)
        #expect(await eventually { Self.managed(world, "A").count == 2 })
        let a = Self.managed(world, "A")
        #expect(Set(a.map(\.content)) == ["100.64.1.2", "198.51.100.7"])
        #expect(a.contains { $0.id == foreign })
        #expect(cloudflare.records.contains { $0.id == txt })
        task.cancel()
        _ = await task.result
    }

    @Test("quiet at steady state: Headscale polled, Cloudflare not called until the re-check")
    func quietAtSteadyState() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user)
        let task = try Self.run(world, ["MONITOR_INTERVAL": "0.05", "DNS_RECHECK_INTERVAL": "300"])
        #expect(await eventually { Self.managed(world, "A").count == 1 && Self.managed(world, "AAAA").count == 1 })
        try await Task.sleep(for: .milliseconds(100))
        world.cloudflare.clearLog()
        world.headscale.clearLog()
        try await Task.sleep(for: .milliseconds(600))
        #expect(world.cloudflare.requests.isEmpty, "\(world.cloudflare.requests.map(\.line))")
        let polls = world.headscale.requests
        #expect(polls.count >= 4 && polls.count <= 14, "\(polls.count) Headscale polls in 0.6 s at 0.05 s intervals")
        // Each poll reads the one node by id, not the user's whole node list.
        #expect(polls.allSatisfy { $0.line == "GET /api/v1/node/1" }, "\(Set(polls.map(\.line)))")
        task.cancel()
        _ = await task.result
    }

    @Test("a node that never registers fails after MAX_RETRIES polls")
    func neverRegisters() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        world.headscale.addNode(name: "ollama-web", user: LifecycleWorld.user)
        let task = try Self.run(world, ["MAX_RETRIES": "4", "RETRY_INTERVAL": "0.02"])
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("dns-create should fail when the node never registers")
            return
        }
        #expect("\(error)".contains("did not register"))
        #expect(world.headscale.requests.filter { $0.path == "/api/v1/node" }.count == 4)
        #expect(world.cloudflare.requests.isEmpty)
    }

    @Test("Cloudflare 429 and 81058 during reconcile do not break the loop")
    func rateLimitedAndIdentical() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
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
        let task = try Self.run(world)
        #expect(await eventually { Self.managed(world, "A").count == 1 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(Self.managed(world, "A").count == 1)
        task.cancel()
        _ = await task.result
    }

    @Test("a node that re-registers under a new id is found again by name and followed", arguments: FakeHeadscale.Version.allCases)
    func reRegistered(version: FakeHeadscale.Version) async throws {
        let world = try await LifecycleWorld.start(version: version)
        defer { Task { await world.stop() } }
        let first = world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        let task = try Self.run(world)
        #expect(await eventually { Self.managed(world, "A").first?.content == "100.64.1.2" })
        let record = try #require(Self.managed(world, "A").first)
        world.headscale.removeNode(id: first)
        world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.3.3"])
        #expect(await eventually { Self.managed(world, "A").first?.content == "100.64.3.3" })
        #expect(Self.managed(world, "A").map(\.id) == [record.id])
        task.cancel()
        _ = await task.result
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
@Suite("dns-create under a long rate limit")
struct DNSCreateRateLimitTests {
    @Test("a 429 with a Retry-After longer than the request deadline pauses Cloudflare calls for that long")
    func longRetryAfter() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        // LifecycleWorld's clients give up waiting after 8 s: a 30 s Retry-After comes back to the loop.
        world.cloudflare.faults.inject(.rateLimited(retryAfter: 30), times: 1, on: "GET")
        let task = try DNSCreateTests.run(world, ["MONITOR_INTERVAL": "0.05"])
        #expect(await eventually { world.cloudflare.requests.count == 1 })
        try await Task.sleep(for: .milliseconds(500))
        // Ten monitor ticks later: still the one rate-limited request, no hammering.
        #expect(world.cloudflare.requests.count == 1)
        #expect(world.headscale.requests.count >= 5)
        task.cancel()
        _ = await task.result
    }
}
