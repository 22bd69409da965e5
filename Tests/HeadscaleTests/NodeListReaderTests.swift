import Headscale
import TestSupport
import Testing

/// The streaming node-list reader: every shape Headscale versions answer, and named errors for
/// what is not a node list.
@Suite("Headscale node list reader")
struct NodeListReaderTests {
    static let http = HeadscaleClientTests.http

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
        try await withFake(server) { server in
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
        try await withFake(server) { server in
            let error = await #expect(throws: HeadscaleError.self) {
                _ = try await HeadscaleClient(baseURL: server.baseURL, apiKey: "k", http: Self.http).nodes()
            }
            #expect(error?.description.contains("is not valid") == true)
        }
    }
}
