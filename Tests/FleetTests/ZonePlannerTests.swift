import Cloudflare
import Fleet
import Headscale
import Testing

/// The planner alone: which node owns a name, which names are skipped, change order in batches.
@Suite("fleet zone planner")
struct ZonePlannerTests {
    static let planner = ZonePlanner(domain: "Example.com.", ownerID: "charon")
    static let marker = "managed by charon-lifecycle; owner=charon"

    static func node(_ id: String, _ name: String, _ address: String, online: Bool) -> HeadscaleNode {
        HeadscaleNode(id: id, name: name, user: HeadscaleUser(id: "1", name: "services"), ipAddresses: [address], online: online)
    }

    @Test("several nodes with one name: the online one wins, then the newest")
    func sharedName() {
        let nodes = [
            Self.node("7", "svc", "100.64.0.7", online: false),
            Self.node("3", "svc", "100.64.0.3", online: true),
            Self.node("2", "svc", "100.64.0.2", online: true),
            Self.node("9", "old", "100.64.0.9", online: false),
            Self.node("10", "old", "100.64.0.10", online: false),
        ]
        let plan = Self.planner.plan(nodes: nodes, records: [])
        #expect(plan.changes.map(\.description) == ["create A old.example.com 100.64.0.10", "create A svc.example.com 100.64.0.3"])
    }

    @Test("names that make no DNS label are skipped, not sent")
    func invalidNames() {
        let nodes = [
            Self.node("1", "-bad", "100.64.0.1", online: true),
            Self.node("2", "under_score", "100.64.0.2", online: true),
            Self.node("3", String(repeating: "x", count: 64), "100.64.0.3", online: true),
            Self.node("4", "ok-1", "100.64.0.4", online: true),
        ]
        let plan = Self.planner.plan(nodes: nodes, records: [])
        #expect(plan.invalidNames.count == 3)
        #expect(plan.changes.map(\.name) == ["ok-1.example.com"])
    }

    @Test("batches: deletes, then patches, then creates; never more than the limit")
    func batchOrder() {
        let nodes = (0..<3).map { Self.node("\($0)", "n\($0)", "100.64.1.\($0 + 1)", online: true) }
        let records = [
            DNSRecord(id: "r1", name: "n0.example.com", type: "A", content: "100.64.9.9", comment: Self.marker),
            DNSRecord(id: "r2", name: "gone.example.com", type: "A", content: "100.64.9.8", comment: Self.marker),
        ]
        let plan = Self.planner.plan(nodes: nodes, records: records)
        let batches = plan.batches(limit: 2, ttl: 60, marker: Self.marker)
        #expect(batches.map(\.batch.count) == [2, 2])
        #expect(batches[0].batch.deletes.map(\.id) == ["r2"] && batches[0].batch.patches.map(\.id) == ["r1"])
        #expect(batches[0].batch.patches.first?.comment == Self.marker && batches[0].batch.patches.first?.content == "100.64.1.1")
        #expect(batches[1].batch.posts.map(\.name) == ["n1.example.com", "n2.example.com"])
        #expect(batches[1].batch.posts.allSatisfy { $0.comment == Self.marker && $0.proxied == false && $0.ttl == 60 })
    }
}
