import Fleet
import Headscale
import TestSupport
import Testing

/// The sweep: only nodes in scope, offline, and last seen longer ago than OFFLINE_NODE_TTL.
@Suite("fleet sweep")
struct SweepTests {
    @Test("sweeps only offline nodes in scope past the TTL, and their owned records go with them", arguments: FakeHeadscale.Version.allCases)
    func sweepsOnlyInScopePastTTL(version: FakeHeadscale.Version) async throws {
        let world = try await FleetWorld.start(version: version)
        try await withFake(world) { world in
            let hs = world.headscale
            let stale = hs.addNode(name: "old-offline", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(48))
            hs.addNode(name: "recent-offline", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(1))
            hs.addNode(name: "old-online", user: FleetWorld.user, online: true, lastSeen: FleetWorld.hoursAgo(48))
            hs.addNode(name: "never-seen", user: FleetWorld.user, online: false, lastSeen: nil)
            hs.addNode(name: "zero-seen", user: FleetWorld.user, online: false, lastSeen: "0001-01-01T00:00:00Z")
            hs.addNode(name: "laptop", user: "alice", online: false, lastSeen: FleetWorld.hoursAgo(400))
            world.cloudflare.addRecord(name: "old-offline.example.com", type: "A", content: "100.64.9.9", ttl: 60, comment: FleetWorld.marker)

            let summary = try await world.pass().run()

            #expect(summary.succeeded, "\(summary.failures)")
            #expect(summary.swept == 1)
            #expect(summary.nodesSeen == 5, "alice's laptop is out of scope")
            let left = Set(hs.nodes.map(\.name))
            #expect(!left.contains("old-offline"))
            #expect(left == ["recent-offline", "old-online", "never-seen", "zero-seen", "laptop"])
            #expect(hs.requests.filter { $0.method == "DELETE" }.map(\.path) == ["/api/v1/node/\(stale)"])
            #expect(world.cloudflare.records(named: "old-offline.example.com").isEmpty, "the swept node's owned record is deleted")
            #expect(world.records(named: "recent-offline.example.com", type: "A").count == 1, "a node within the TTL keeps its record")
        }
    }

    @Test("with AUTHKEY_TAGS, tag-owned nodes with exactly those tags are in scope; others never")
    func tagScope() async throws {
        let world = try await FleetWorld.start(version: .v0_28)
        try await withFake(world) { world in
            let hs = world.headscale
            hs.addNode(name: "tagged-old", user: nil, tags: ["tag:svc"], online: false, lastSeen: FleetWorld.hoursAgo(30))
            hs.addNode(name: "other-tags-old", user: nil, tags: ["tag:svc", "tag:admin"], online: false, lastSeen: FleetWorld.hoursAgo(30))
            hs.addNode(name: "user-old", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(30))
            hs.addNode(name: "bob-old", user: "bob", online: false, lastSeen: FleetWorld.hoursAgo(30))

            let summary = try await world.pass(["AUTHKEY_TAGS": "tag:svc"]).run()

            #expect(summary.succeeded, "\(summary.failures)")
            #expect(summary.swept == 2)
            #expect(Set(hs.nodes.map(\.name)) == ["other-tags-old", "bob-old"])
        }
    }

    @Test("a TTL of off (or 0) sweeps nothing; a longer TTL spares younger nodes")
    func ttlSettings() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world async throws in
            world.headscale.addNode(name: "a", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(48))
            #expect(try await world.pass(["OFFLINE_NODE_TTL": "off"]).run().swept == 0)
            #expect(try await world.pass(["OFFLINE_NODE_TTL": "0"]).run().swept == 0)
            #expect(try await world.pass(["OFFLINE_NODE_TTL": "72h"]).run().swept == 0)
            #expect(try await world.pass(["OFFLINE_NODE_TTL": "47h"]).run().swept == 1)
            #expect(world.headscale.nodes.isEmpty)
        }
    }

    @Test("a failed or cut-off node list deletes nothing, in Headscale or Cloudflare")
    func partialHeadscaleFailure() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "old", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(48))
            world.cloudflare.addRecord(name: "gone.example.com", type: "A", content: "100.64.3.3", comment: FleetWorld.marker)
            let zoneBefore = world.zone

            // A 200 whose body stops in the middle of the node list.
            world.headscale.faults.inject(.malformedJSON, on: "GET", pathPrefix: "/api/v1/node")
            let cutOff = try await world.pass().run()
            #expect(!cutOff.succeeded)
            #expect(cutOff.failures.first?.contains("nothing swept") == true)

            // Headscale failing on every attempt.
            world.headscale.faults.inject(.status(503), times: 10, on: "GET", pathPrefix: "/api/v1/node")
            let failed = try await world.pass().run()
            #expect(!failed.succeeded)

            #expect(world.headscale.nodes.count == 1)
            #expect(!world.headscale.requests.contains { $0.method == "DELETE" })
            #expect(world.cloudflare.requests.isEmpty, "no listing, no batch: DNS is not touched without a complete node list")
            #expect(world.zone == zoneBefore)
        }
    }

    @Test("a delete that fails stops the sweep; the node keeps its records")
    func deleteFailure() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "old", user: FleetWorld.user, ipAddresses: ["100.64.5.5"], online: false, lastSeen: FleetWorld.hoursAgo(48))
            world.cloudflare.addRecord(name: "old.example.com", type: "A", content: "100.64.5.5", comment: FleetWorld.marker)
            world.headscale.faults.inject(.status(503), times: 10, on: "DELETE")

            let summary = try await world.pass().run()

            #expect(!summary.succeeded)
            #expect(summary.swept == 0)
            #expect(world.headscale.nodes.count == 1)
            #expect(world.records(named: "old.example.com", type: "A").map(\.content) == ["100.64.5.5"])
            #expect(world.cloudflare.batchCalls == 0, "nothing to change for a node that is still there")
        }
    }

    @Test("more than half of a scope stale at once (a Headscale back from an outage): nothing swept, reported")
    func outageGuard() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            for index in 0..<11 {
                world.headscale.addNode(name: "s\(index)", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(50))
            }
            for index in 0..<10 { world.headscale.addNode(name: "up\(index)", user: FleetWorld.user) }

            let held = try await world.pass().run()

            #expect(held.swept == 0 && !held.succeeded)
            #expect(held.failures.first?.contains("11 of 21 nodes in scope") == true)
            #expect(world.headscale.nodes.count == 21)
            #expect(world.cloudflare.records(named: "s0.example.com").count == 2, "their records are kept, the nodes are still there")

            for index in 0..<2 { world.headscale.addNode(name: "more\(index)", user: FleetWorld.user) }
            let swept = try await world.pass().run()
            #expect(swept.succeeded && swept.swept == 11, "11 of 23: under half, swept")
        }
    }
}
