import Cloudflare
import HTTP
import Headscale
import Lifecycle
import TestSupport
import Testing

/// The Headscale and Cloudflare clients on the wire details the workflows rely on.
@Suite("clients")
struct ClientTests {
    /// Retry waits counted on a skipping clock, so no deadline depends on the machine's speed.
    static let http = HTTPClient(
        configuration: .init(retryDeadline: .seconds(5), initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(40)),
        clock: ManualClock(skipping: true)
    )

    @Test("Headscale's node list may be four times the client's response cap; other answers may not")
    func nodeListCap() async throws {
        let padding = String(repeating: " ", count: 5 << 20)  // over 4 MiB, under 16
        let server = try await LoopbackServer.start { request in
            request.path == "/api/v1/node"
                ? .json(200, #"{"nodes": [{"id": "1", "name": "a"}]"# + padding + "}")
                : .json(200, #"{"users": []"# + padding + "}")
        }
        defer { Task { await server.stop() } }
        let http = HTTPClient(configuration: .init(maxResponseBytes: 4 << 20), clock: ManualClock(skipping: true))
        let client = HeadscaleClient(baseURL: server.baseURL, apiKey: "k", http: http)
        #expect(try await client.nodes().map(\.id) == ["1"])
        let error = await #expect(throws: HeadscaleError.self) { _ = try await client.users(named: "x") }
        #expect(
            error?.description.contains("GET \(server.baseURL)/api/v1/user: response body over the 4 MiB limit") == true,
            "\(String(describing: error))"
        )
    }

    @Test("Headscale users: the name filter is applied client-side (0.23 ignores it)", arguments: FakeHeadscale.Version.allCases)
    func usersByName(version: FakeHeadscale.Version) async throws {
        let fake = try await FakeHeadscale.start(version: version, apiKey: "k")
        defer { Task { await fake.stop() } }
        fake.addUser("alice")
        fake.addUser("services")
        let client = HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http)
        let users = try await client.users(named: "services")
        #expect(users.map(\.name) == ["services"])
        #expect(users.first?.id == "2")
        #expect(fake.requests.first?.query["name"] == "services")
        await #expect(throws: HeadscaleError.self) { _ = try await client.user(named: "bob") }
    }

    @Test("Headscale node tags read from forcedTags/validTags or tags", arguments: FakeHeadscale.Version.allCases)
    func nodeTags(version: FakeHeadscale.Version) async throws {
        let fake = try await FakeHeadscale.start(version: version, apiKey: "k")
        defer { Task { await fake.stop() } }
        fake.addNode(name: "db", user: "services", ipAddresses: ["100.64.0.3", "fd7a:115c:a1e0::3"], tags: ["tag:db"])
        let nodes = try await HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http).nodes()
        #expect(nodes.first?.tags == ["tag:db"])
        #expect(nodes.first?.ipv4 == "100.64.0.3")
        #expect(nodes.first?.ipv6 == "fd7a:115c:a1e0::3")
        #expect(nodes.first?.user?.name == "services")
    }

    @Test("deleting a node that is gone counts as done (500 up to 0.26, 404 from 0.27)", arguments: FakeHeadscale.Version.allCases)
    func deleteGoneNode(version: FakeHeadscale.Version) async throws {
        let fake = try await FakeHeadscale.start(version: version, apiKey: "k")
        defer { Task { await fake.stop() } }
        try await HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http).deleteNode(id: "42")
        // "record not found" is not retried.
        #expect(fake.requests.count == 1)
    }

    @Test("a pre-auth key for another user than asked is rejected")
    func keyForOtherUser() async throws {
        let fake = try await FakeHeadscale.start(version: .v0_26, apiKey: "k")
        defer { Task { await fake.stop() } }
        fake.addUser("services")
        let client = HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http)
        // The id says 1 ("services") but the name we claim differs.
        let error = await #expect(throws: HeadscaleError.self) {
            _ = try await client.createPreAuthKey(for: HeadscaleUser(id: "1", name: "ops"), options: .init(expiration: .seconds(60)))
        }
        #expect(error?.description.contains("cannot be verified") == true)
    }

    @Test("Cloudflare listing follows result_info pages")
    func pagination() async throws {
        let fake = try await FakeCloudflare.start(token: "t", zoneID: "z", maxPerPage: 5)
        defer { Task { await fake.stop() } }
        for index in 0..<12 { fake.addRecord(name: "a.example.com", type: "TXT", content: "\"\(index)\"") }
        fake.addRecord(name: "b.example.com", type: "A", content: "100.64.0.1")
        let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", pageSize: 500, http: Self.http)
        let records = try await client.records(named: "A.Example.com")
        #expect(records.count == 12)
        #expect(fake.requests.map { $0.query["page"] } == ["1", "2", "3"])
    }

    @Test("Cloudflare: create sends JSON with the comment; 81058 is reported as identical; PATCH keeps the comment")
    func createAndPatch() async throws {
        let fake = try await FakeCloudflare.start(token: "t", zoneID: "z")
        defer { Task { await fake.stop() } }
        let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
        let input = DNSRecordInput(type: "A", name: "ollama.example.com", content: "100.64.0.1", ttl: 60, proxied: false, comment: "managed")
        guard case .created(let record) = try await client.createRecord(input) else {
            Issue.record("expected a created record")
            return
        }
        #expect(try await client.createRecord(input) == .identicalExists)
        let updated = try await client.updateRecord(id: record.id, DNSRecordInput(content: "100.64.0.2"))
        #expect(updated.content == "100.64.0.2" && updated.comment == "managed")
        try await client.deleteRecord(id: record.id)
        try await client.deleteRecord(id: record.id)  // gone already: fine
        #expect(fake.records.isEmpty)
    }

    @Test("Cloudflare: success false with HTTP 200 is an error with its codes; a comment over 100 characters is refused")
    func envelopeErrors() async throws {
        let fake = try await FakeCloudflare.start(token: "t", zoneID: "z")
        defer { Task { await fake.stop() } }
        let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
        fake.faults.inject(.response(.json(200, #"{"success":false,"errors":[{"code":1234,"message":"odd"}],"messages":[],"result":null}"#)))
        let odd = await #expect(throws: CloudflareError.self) { _ = try await client.records(named: "x.example.com") }
        #expect(odd?.codes == [1234])
        let long = DNSRecordInput(type: "A", name: "x.example.com", content: "100.64.0.1", comment: String(repeating: "c", count: 120))
        let refused = await #expect(throws: CloudflareError.self) { _ = try await client.createRecord(long) }
        #expect(refused?.codes == [9004])
        let wrongZone = CloudflareClient(baseURL: fake.url, zoneID: "other", token: "t", http: Self.http)
        let zoneError = await #expect(throws: CloudflareError.self) { _ = try await wrongZone.records(named: "x.example.com") }
        #expect(zoneError?.codes == [7003])
    }

    @Test("node lists are read field by field: numeric ids, escapes, nulls, unknown nested fields")
    func nodeListReader() async throws {
        let body = #"""
            { "nodes" : [
              {"id": 7, "name": "caf\u00e9-\"q\"", "givenName": null, "user": {"id": "3", "name": "services", "extra": {"a": [1, 2.5e3, true]}},
               "ipAddresses": ["100.64.0.7", "fd7a:115c:a1e0::7"], "forcedTags": ["tag:a"], "validTags": ["tag:a", "tag:b"], "online": true,
               "preAuthKey": null, "registerMethod": "REGISTER_METHOD_AUTH_KEY", "lastSeen": "2026-01-01T00:00:00Z"},
              {"id": "8", "name": "tagged", "user": {}, "tags": ["tag:web"], "online": false, "ipAddresses": null},
              {"id": "9", "name": "\ud83d\ude00", "user": null}
            ], "unknownTopLevel": {"x": null} }
            """#
        let server = try await LoopbackServer.start { _ in .json(200, body) }
        defer { Task { await server.stop() } }
        let client = HeadscaleClient(baseURL: server.baseURL, apiKey: "k", http: Self.http)
        let nodes = try await client.nodes()
        #expect(nodes.map(\.id) == ["7", "8", "9"])
        #expect(nodes[0].name == "café-\"q\"")
        #expect(nodes[0].user == HeadscaleUser(id: "3", name: "services"))
        #expect(nodes[0].tags == ["tag:a", "tag:b"])
        #expect(nodes[0].online && nodes[0].ipv6 == "fd7a:115c:a1e0::7")
        #expect(nodes[1].user == nil && nodes[1].isTagOwned && nodes[1].ipAddresses.isEmpty)
        #expect(nodes[2].name == "😀")
        let filtered = try await client.nodes { $0.name == "tagged" }
        #expect(filtered.map(\.id) == ["8"])
    }

    @Test(
        "a truncated or wrongly typed node list is a named error, not a crash",
        arguments: [
            #"{"nodes": [{"id": "1", "name": "#, #"{"nodes": [{"name": "x"}]}"#, #"{"nodes": {}}"#, #"{"nodes": [{"id": "1", "online": "yes"}]}"#,
            "<html>",
        ]
    )
    func malformedNodeList(body: String) async throws {
        let server = try await LoopbackServer.start { _ in .json(200, body) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: HeadscaleError.self) {
            _ = try await HeadscaleClient(baseURL: server.baseURL, apiKey: "k", http: Self.http).nodes()
        }
        #expect(error?.description.contains("is not valid") == true)
    }
}
