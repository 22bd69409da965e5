import Cloudflare
import Fleet
import TestSupport
import Testing

/// The DNS half of the pass against the fakes: records follow nodes, foreign records are never
/// touched, batches are transactions, a second pass writes nothing.
@Suite("fleet records")
struct ZoneTests {
    @Test("records follow nodes: created, corrected in place (comment kept), removed with their node")
    func recordsFollowNodes() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            let hs = world.headscale
            let cf = world.cloudflare
            hs.addNode(name: "ollama", user: FleetWorld.user, ipAddresses: ["100.64.1.1", "fd7a:115c:a1e0::101"])
            hs.addNode(name: "Web.internal", user: FleetWorld.user, ipAddresses: ["100.64.1.2"])
            let moved = cf.addRecord(name: "ollama.example.com", type: "A", content: "100.64.7.7", ttl: 60, comment: FleetWorld.marker)
            cf.addRecord(name: "web.example.com", type: "AAAA", content: "fd7a:115c:a1e0::99", ttl: 60, comment: FleetWorld.marker)
            cf.addRecord(name: "gone.example.com", type: "A", content: "100.64.2.2", ttl: 60, comment: FleetWorld.marker)
            cf.addRecord(name: "gone.example.com", type: "AAAA", content: "fd7a:115c:a1e0::22", ttl: 60, comment: FleetWorld.marker)

            let summary = try await world.pass().run()

            #expect(summary.succeeded, "\(summary.failures)")
            #expect(summary.created == 2 && summary.updated == 1 && summary.deleted == 3, "\(summary)")
            let a = try #require(world.records(named: "ollama.example.com", type: "A").first)
            #expect(a.id == moved && a.content == "100.64.1.1" && a.comment == FleetWorld.marker, "PATCHed in place")
            #expect(world.records(named: "ollama.example.com", type: "AAAA").map(\.content) == ["fd7a:115c:a1e0::101"])
            #expect(world.records(named: "web.example.com", type: "A").map(\.content) == ["100.64.1.2"], "first label, lower case")
            #expect(world.records(named: "web.example.com", type: "AAAA").isEmpty, "the node has no IPv6 address")
            #expect(cf.records(named: "gone.example.com").isEmpty)
            #expect(cf.records.allSatisfy { $0.comment == FleetWorld.marker && $0.ttl == 60 && !$0.proxied })
            #expect(cf.batchCalls == 1 && cf.listCalls == 1)
            #expect(
                cf.requests.filter { $0.method != "GET" }.allSatisfy { $0.path.hasSuffix("/dns_records/batch") },
                "every change goes through the batch endpoint"
            )
            let body = try #require(cf.requests.first { $0.method == "POST" }?.text)
            #expect(!body.contains("tags") && body.contains("\"puts\":[]"))
            #expect(summary.headscaleCalls == 2 && summary.cloudflareCalls == 2)
        }
    }

    @Test("a second pass over an unchanged world writes nothing")
    func secondPassIsNoOp() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            for index in 0..<30 { world.headscale.addNode(name: "svc-\(index)", user: FleetWorld.user) }
            world.headscale.addNode(name: "old", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(25))
            world.cloudflare.addRecord(name: "stale.example.com", type: "A", content: "100.64.4.4", comment: FleetWorld.marker)
            world.cloudflare.addRecord(name: "svc-0.example.com", type: "A", content: "203.0.113.5")  // foreign beside ours

            let first = try await world.pass().run()
            #expect(first.succeeded && first.writes == 60 && first.swept == 1 && first.foreignNames == ["svc-0.example.com"], "\(first)")
            let zoneAfterFirst = world.zone
            world.cloudflare.clearLog()
            world.headscale.clearLog()

            let second = try await world.pass().run()

            #expect(second.succeeded)
            #expect(second.writes == 0 && second.swept == 0 && second.batches == 0)
            #expect(world.cloudflare.writeCalls == 0, "no batch, no write of any kind")
            #expect(world.cloudflare.listCalls == 1)
            #expect(!world.headscale.requests.contains { $0.method != "GET" })
            #expect(world.zone == zoneAfterFirst)
        }
    }

    @Test("records this tool does not own are never touched; a name held by one is reported, not taken")
    func foreignRecordsUntouched() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            let hs = world.headscale
            let cf = world.cloudflare
            hs.addNode(name: "taken", user: FleetWorld.user, ipAddresses: ["100.64.1.1"])
            hs.addNode(name: "aliased", user: FleetWorld.user, ipAddresses: ["100.64.1.2"])
            hs.addNode(name: "mixed", user: FleetWorld.user, ipAddresses: ["100.64.1.3"])
            cf.addRecord(name: "taken.example.com", type: "A", content: "203.0.113.10")  // someone's server
            cf.addRecord(name: "aliased.example.com", type: "CNAME", content: "elsewhere.example.net")
            cf.addRecord(name: "mixed.example.com", type: "TXT", content: "v=spf1 -all")
            cf.addRecord(name: "unowned-tailnet.example.com", type: "A", content: "100.64.8.8")  // no marker, no node
            cf.addRecord(name: "apex-ish.other.example.com", type: "A", content: "100.64.8.9", comment: FleetWorld.marker)  // deeper name
            cf.addRecord(name: "www.example.org", type: "A", content: "100.64.8.10", comment: FleetWorld.marker)  // another domain
            cf.addRecord(name: "mail.example.com", type: "MX", content: "mx.example.com", comment: FleetWorld.marker)
            let foreign = world.zone

            let summary = try await world.pass().run()

            #expect(summary.succeeded, "\(summary.failures)")
            #expect(summary.foreignNames == ["aliased.example.com", "taken.example.com"])
            #expect(summary.created == 1 && summary.updated == 0 && summary.deleted == 0)
            #expect(world.records(named: "mixed.example.com", type: "A").map(\.content) == ["100.64.1.3"])
            let untouched = world.zone.filter { !$0.contains(" mixed.example.com A ") }
            #expect(untouched == foreign, "every record that was there before is exactly as it was")
        }
    }

    @Test("a failed batch changes nothing and is retried by the next pass")
    func failedBatchChangesNothing() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            let hs = world.headscale
            let cf = world.cloudflare
            for name in ["a", "b", "c"] { hs.addNode(name: name, user: FleetWorld.user, ipAddresses: ["100.64.2.\(name.utf8.first! - 96)"]) }
            cf.addRecord(name: "old.example.com", type: "A", content: "100.64.3.3", comment: FleetWorld.marker)
            cf.addRecord(name: "a.example.com", type: "A", content: "100.64.9.9", comment: FleetWorld.marker)
            cf.refuseChanges(named: "c.example.com")
            let before = world.zone

            let failed = try await world.pass().run()

            #expect(!failed.succeeded)
            #expect(failed.failures.count == 1 && failed.failures[0].contains("\(FakeCloudflare.refusedChangeCode)"))
            #expect(failed.writes == 0)
            #expect(world.zone == before, "the delete and the PATCH in the same batch were not applied either")
            #expect(cf.batchCalls == 1)

            cf.allowChanges(named: "c.example.com")
            let retried = try await world.pass().run()
            #expect(retried.succeeded && retried.created == 2 && retried.updated == 1 && retried.deleted == 1, "\(retried)")
            #expect(cf.records.map(\.name).sorted() == ["a.example.com", "b.example.com", "c.example.com"])
        }
    }

    @Test("with small batches, the failing batch alone is left out; the others apply")
    func failingBatchAmongOthers() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            for index in 0..<6 { world.headscale.addNode(name: "n\(index)", user: FleetWorld.user, ipAddresses: ["100.64.6.\(index + 1)"]) }
            world.cloudflare.refuseChanges(named: "n3.example.com")

            let summary = try await world.pass(["FLEET_BATCH_SIZE": "2"]).run()

            #expect(summary.batches == 3 && summary.failures.count == 1)
            #expect(summary.created == 4)
            #expect(Set(world.cloudflare.records.map(\.name)) == ["n0.example.com", "n1.example.com", "n4.example.com", "n5.example.com"])
        }
    }

    @Test("no batch holds more than FLEET_BATCH_SIZE operations; one over the plan's limit is refused whole")
    func batchLimits() async throws {
        let world = try await FleetWorld.start(batchLimit: 200)
        try await withFake(world) { world in
            for index in 0..<225 { world.headscale.addNode(name: "s\(index)", user: FleetWorld.user) }  // 450 records

            let tooLarge = try await world.pass(["FLEET_BATCH_SIZE": "3500"]).run()
            #expect(!tooLarge.succeeded && tooLarge.failures[0].contains("\(FakeCloudflare.batchTooLargeCode)"))
            #expect(world.cloudflare.records.isEmpty)

            let free = try await world.pass().run()
            #expect(free.succeeded && free.created == 450 && free.batches == 3, "\(free)")
            let sizes = world.cloudflare.requests.filter { $0.path.hasSuffix("/batch") }.dropFirst().map { request in
                request.text.components(separatedBy: "\"name\"").count - 1
            }
            #expect(sizes == [200, 200, 50])
        }
    }

    @Test("the zone is read in pages, every page")
    func pagination() async throws {
        let world = try await FleetWorld.start(maxPerPage: 5)
        try await withFake(world) { world in
            for index in 0..<6 { world.headscale.addNode(name: "p\(index)", user: FleetWorld.user) }
            let first = try await world.pass().run()
            #expect(first.created == 12)
            world.cloudflare.clearLog()
            let second = try await world.pass().run()
            #expect(second.succeeded && second.writes == 0)
            #expect(world.cloudflare.listCalls == 3 && second.cloudflareCalls == 3)
        }
    }

    @Test("a 429 on a batch is waited out as Retry-After asks, then sent again")
    func rateLimitedBatch() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "r", user: FleetWorld.user, ipAddresses: ["100.64.6.6"])
            world.cloudflare.faults.inject(.rateLimited(retryAfter: 0), on: "POST")
            let summary = try await world.pass().run()
            #expect(summary.succeeded && summary.created == 1)
            #expect(world.cloudflare.batchCalls == 2)
        }
    }

    @Test("without a Cloudflare token the pass only sweeps")
    func noToken() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "x", user: FleetWorld.user)
            let summary = try await world.pass(["CLOUDFLARE_API_TOKEN": ""]).run()
            #expect(summary.succeeded && summary.dnsSkipped)
            #expect(world.cloudflare.requests.isEmpty)
        }
    }
}
