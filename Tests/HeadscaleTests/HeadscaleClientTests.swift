import HTTP
import Headscale
import TestSupport
import Testing

/// The Headscale client against the fake on the wire details the workflows rely on: response
/// caps, the name filter 0.23 ignores, tag fields across versions, "record not found".
@Suite("Headscale client")
struct HeadscaleClientTests {
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
        try await withFake(server) { server in
            let http = HTTPClient(configuration: .init(maxResponseBytes: 4 << 20), clock: ManualClock(skipping: true))
            let client = HeadscaleClient(baseURL: server.baseURL, apiKey: "k", http: http)
            let nodes = try await client.nodes()  // over the 4 MiB cap, under the node list's 16
            #expect(nodes.map(\.id) == ["1"])
            let error = await #expect(throws: HeadscaleError.self) { _ = try await client.users(named: "x") }
            #expect(
                error?.description.contains("GET \(server.baseURL)/api/v1/user: response body over the 4 MiB limit") == true,
                "\(String(describing: error))"
            )
        }
    }

    @Test("Headscale users: the name filter is applied client-side (0.23 ignores it)", arguments: FakeHeadscale.Version.allCases)
    func usersByName(version: FakeHeadscale.Version) async throws {
        let fake = try await FakeHeadscale.start(version: version, apiKey: "k")
        try await withFake(fake) { fake in
            fake.addUser("alice")
            fake.addUser("services")
            let client = HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http)
            let users = try await client.users(named: "services")
            #expect(users.map(\.name) == ["services"])
            #expect(users.first?.id == "2")
            #expect(fake.requests.first?.query["name"] == "services")
            await #expect(throws: HeadscaleError.self) { _ = try await client.user(named: "bob") }
        }
    }

    @Test("Headscale node tags read from forcedTags/validTags or tags", arguments: FakeHeadscale.Version.allCases)
    func nodeTags(version: FakeHeadscale.Version) async throws {
        let fake = try await FakeHeadscale.start(version: version, apiKey: "k")
        try await withFake(fake) { fake in
            fake.addNode(name: "db", user: "services", ipAddresses: ["100.64.0.3", "fd7a:115c:a1e0::3"], tags: ["tag:db"])
            let nodes = try await HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http).nodes()
            #expect(nodes.first?.tags == ["tag:db"])
            #expect(nodes.first?.ipv4 == "100.64.0.3")
            #expect(nodes.first?.ipv6 == "fd7a:115c:a1e0::3")
            #expect(nodes.first?.user?.name == "services")
        }
    }

    @Test("deleting a node that is gone counts as done (500 up to 0.26, 404 from 0.27)", arguments: FakeHeadscale.Version.allCases)
    func deleteGoneNode(version: FakeHeadscale.Version) async throws {
        let fake = try await FakeHeadscale.start(version: version, apiKey: "k")
        try await withFake(fake) { fake in
            try await HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http).deleteNode(id: "42")
            // "record not found" is not retried.
            #expect(fake.requests.count == 1)
        }
    }

    @Test("a pre-auth key for another user than asked is rejected")
    func keyForOtherUser() async throws {
        let fake = try await FakeHeadscale.start(version: .v0_26, apiKey: "k")
        try await withFake(fake) { fake in
            fake.addUser("services")
            let client = HeadscaleClient(baseURL: fake.url, apiKey: "k", http: Self.http)
            // The id says 1 ("services") but the name we claim differs.
            let error = await #expect(throws: HeadscaleError.self) {
                _ = try await client.createPreAuthKey(for: HeadscaleUser(id: "1", name: "ops"), options: .init(expiration: .seconds(60)))
            }
            #expect(error?.description.contains("cannot be verified") == true)
        }
    }
}
