import Cloudflare
import Headscale
import Lifecycle
import Testing

/// The data-protection rules: which records and nodes may be touched.
@Suite("ownership rules")
struct OwnershipTests {
    let ownership = RecordOwnership(fqdn: "ollama.example.com", ownerID: "charon")

    func record(_ name: String, _ type: String, _ content: String, comment: String? = nil) -> DNSRecord {
        DNSRecord(id: "1", name: name, type: type, content: content, comment: comment)
    }

    @Test("tailnet ranges are checked on parsed addresses")
    func ranges() {
        #expect(IPAddress("100.64.0.0")!.isTailnet)
        #expect(IPAddress("100.127.255.255")!.isTailnet)
        #expect(!IPAddress("100.128.0.0")!.isTailnet)
        #expect(!IPAddress("100.63.255.255")!.isTailnet)
        #expect(IPAddress("fd7a:115c:a1e0::1")!.isTailnet)
        #expect(IPAddress("FD7A:115C:A1E0:0000::abcd")!.isTailnet)
        #expect(!IPAddress("fd7a:115c:a1e1::1")!.isTailnet)
        #expect(IPAddress("fd7a:115c:a1e0::1") == IPAddress("fd7a:115c:a1e0:0:0:0:0:1"))
        #expect(IPAddress("not an ip") == nil)
        #expect(IPAddress("100.64.0.1.5") == nil)
    }

    @Test("verdicts")
    func verdicts() {
        let marker = ownership.marker
        #expect(ownership.verdict(for: record("ollama.example.com", "A", "203.0.113.1", comment: marker)) == .managed(owned: true))
        #expect(ownership.verdict(for: record("OLLAMA.Example.COM.", "A", "100.64.3.4")) == .managed(owned: false))
        #expect(ownership.verdict(for: record("ollama.example.com", "AAAA", "fd7a:115c:a1e0::4")) == .managed(owned: false))
        #expect(ownership.verdict(for: record("ollama.example.com", "A", "203.0.113.1", comment: "mine")) == .notOwned)
        #expect(ownership.verdict(for: record("ollama.example.com", "TXT", "100.64.3.4", comment: marker)) == .otherType)
        #expect(ownership.verdict(for: record("ollama-web.example.com", "A", "100.64.3.4", comment: marker)) == .otherName)
        #expect(ownership.verdict(for: record("x.ollama.example.com", "A", "100.64.3.4")) == .otherName)
        #expect(RecordOwnership.isValidMarker(marker))
        #expect(!RecordOwnership.isValidMarker("a\nb"))
    }

    @Test("node scope: exact name, the user's nodes, tag-owned nodes with exactly the tags")
    func nodeScope() {
        let services = HeadscaleUser(id: "1", name: "services")
        let alice = HeadscaleUser(id: "2", name: "alice")
        let tagged = HeadscaleUser(id: "3", name: "tagged-devices")
        let scope = NodeScope(user: "services", tags: ["tag:web"])
        #expect(scope.isService(HeadscaleNode(id: "1", name: "ollama", givenName: "ollama-x8k2p1q3", user: services), hostname: "ollama"))
        #expect(!scope.isService(HeadscaleNode(id: "2", name: "ollama-web", user: services), hostname: "ollama"))
        #expect(!scope.isService(HeadscaleNode(id: "3", name: "ollama-1", givenName: "ollama", user: services), hostname: "ollama"))
        #expect(!scope.isService(HeadscaleNode(id: "4", name: "ollama", user: alice), hostname: "ollama"))
        #expect(!scope.isService(HeadscaleNode(id: "5", name: "ollama", user: alice, tags: ["tag:web"]), hostname: "ollama"))
        #expect(scope.isService(HeadscaleNode(id: "6", name: "ollama", user: nil, tags: ["tag:web"]), hostname: "ollama"))
        #expect(scope.isService(HeadscaleNode(id: "7", name: "ollama", user: tagged, tags: ["tag:web"]), hostname: "ollama"))
        #expect(!scope.isService(HeadscaleNode(id: "8", name: "ollama", user: nil, tags: ["tag:web", "tag:db"]), hostname: "ollama"))
        #expect(!NodeScope(user: "services").isService(HeadscaleNode(id: "9", name: "ollama", user: nil, tags: ["tag:web"]), hostname: "ollama"))
    }
}
