import CharonSupport
import Cloudflare
import Headscale
import Lifecycle
import TestSupport
import Testing

/// `cleanup` against the fakes, for every Headscale behaviour: what is deleted, what never is,
/// and that the key file appears only when everything checked out.
@Suite("cleanup")
struct CleanupTests {
    /// A tailnet where only some nodes and records are the service's stale ones.
    struct Seed {
        var stale: [Int] = []
        var kept: [Int] = []
        var staleRecords: [String] = []
        var keptRecords: [String] = []
    }

    static func seed(_ world: LifecycleWorld) -> Seed {
        let headscale = world.headscale
        var seed = Seed()
        // The old pod's node and a duplicate Headscale renamed: both report the hostname "ollama".
        seed.stale.append(headscale.addNode(name: "ollama", user: LifecycleWorld.user, givenName: "ollama"))
        seed.stale.append(headscale.addNode(name: "ollama", user: LifecycleWorld.user, givenName: "ollama-x8k2p1q3"))
        // Look-alikes and neighbours: never touched.
        seed.kept.append(headscale.addNode(name: "ollama-web", user: LifecycleWorld.user))
        seed.kept.append(headscale.addNode(name: "ollama-1", user: LifecycleWorld.user, givenName: "ollama-1"))
        seed.kept.append(headscale.addNode(name: "web", user: LifecycleWorld.user, givenName: "ollama"))
        seed.kept.append(headscale.addNode(name: "ollama", user: "alice"))
        seed.kept.append(headscale.addNode(name: "Ollama", user: LifecycleWorld.user))

        let cloudflare = world.cloudflare
        seed.staleRecords.append(cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "100.64.0.9", comment: LifecycleWorld.marker))
        seed.staleRecords.append(cloudflare.addRecord(name: "Ollama.Example.com", type: "AAAA", content: "fd7a:115c:a1e0::9"))
        seed.staleRecords.append(cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "203.0.113.9", comment: LifecycleWorld.marker))
        seed.keptRecords.append(cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "A", content: "203.0.113.10", comment: "hand-made"))
        seed.keptRecords.append(
            cloudflare.addRecord(name: LifecycleWorld.fqdn, type: "TXT", content: "\"v=spf1 -all\"", comment: LifecycleWorld.marker)
        )
        seed.keptRecords.append(
            cloudflare.addRecord(name: "ollama-web.example.com", type: "A", content: "100.64.0.10", comment: LifecycleWorld.marker)
        )
        seed.keptRecords.append(cloudflare.addRecord(name: "ollama.example.com.evil.net", type: "A", content: "100.64.0.11"))
        return seed
    }

    @Test("removes exactly the stale nodes and records, and writes the issued key 0600", arguments: FakeHeadscale.Version.allCases)
    func removesExactlyTheStale(version: FakeHeadscale.Version) async throws {
        let world = try await LifecycleWorld.start(version: version)
        try await withFake(world) { world in
            let seed = Self.seed(world)

            try await world.cleanup()

            let remaining = Set(world.headscale.nodes.map(\.id))
            #expect(remaining == Set(seed.kept), "stale \(seed.stale), kept \(seed.kept), left \(remaining)")
            let records = Set(world.cloudflare.records.map(\.id))
            #expect(records == Set(seed.keptRecords))
            // The key file holds exactly the key Headscale issued, readable by its owner only.
            let issued = try #require(world.headscale.issuedKeys.last)
            #expect(world.headscale.issuedKeys.count == 1)
            #expect(POSIXFile.contents(world.keyPath) == issued.key)
            #expect(POSIXFile.mode(world.keyPath) == 0o600)
            #expect(issued.user == LifecycleWorld.user)
            // No temporary file left beside it.
            #expect(POSIXFile.list(world.scratch.path) == ["authkey"])
        }
    }

    @Test(
        "the pre-auth key carries the expiry, tags and flags asked for, in the user form each version takes",
        arguments: FakeHeadscale.Version.allCases
    )
    func keyOptions(version: FakeHeadscale.Version) async throws {
        let world = try await LifecycleWorld.start(version: version)
        try await withFake(world) { world in
            let before = RFC3339.nowEpochSeconds
            try await world.cleanup([
                "AUTHKEY_EXPIRATION": "30m", "AUTHKEY_TAGS": "tag:web, tag:prod", "AUTHKEY_REUSABLE": "true", "AUTHKEY_EPHEMERAL": "true",
            ])
            let key = try #require(world.headscale.issuedKeys.first)
            #expect(key.aclTags == ["tag:web", "tag:prod"])
            #expect(key.reusable && key.ephemeral)
            let earliest = RFC3339.format(epochSeconds: before + 1800)
            let latest = RFC3339.format(epochSeconds: before + 1800 + 60)
            #expect(key.expiration >= earliest && key.expiration <= latest, "expiration \(key.expiration)")
            let posts = world.headscale.requests.filter { $0.line == "POST /api/v1/preauthkey" }
            switch version {
            case .v0_23:
                // The id is looked up as a name and not found (nothing created), then the name works.
                #expect(posts.count == 2)
                #expect(posts.first?.text.contains(#""user":"1""#) == true)
                #expect(posts.last?.text.contains(#""user":"services""#) == true)
            case .v0_26, .v0_28:
                #expect(posts.count == 1)
                #expect(posts[0].text.contains(#""user":"1""#))
            }
        }
    }

    @Test("with AUTHKEY_TAGS, tag-owned nodes with exactly those tags are stale too; others are not")
    func tagOwnedNodes() async throws {
        let world = try await LifecycleWorld.start(version: .v0_28)
        try await withFake(world) { world in
            let tagged = world.headscale.addNode(name: "ollama", user: nil, tags: ["tag:prod", "tag:web"])
            let ownedByUser = world.headscale.addNode(name: "ollama", user: LifecycleWorld.user)
            let otherTags = world.headscale.addNode(name: "ollama", user: nil, tags: ["tag:web"])
            let moreTags = world.headscale.addNode(name: "ollama", user: nil, tags: ["tag:web", "tag:prod", "tag:db"])
            let otherUserSameTags = world.headscale.addNode(name: "ollama", user: "alice", tags: ["tag:web", "tag:prod"])
            try await world.cleanup(["AUTHKEY_TAGS": "tag:web,tag:prod"])
            let remaining = Set(world.headscale.nodes.map(\.id))
            #expect(!remaining.contains(tagged) && !remaining.contains(ownedByUser))
            #expect(remaining == [otherTags, moreTags, otherUserSameTags])
            // Tag-owned nodes have no user: the listing must not be filtered by user.
            #expect(world.headscale.requests.contains { $0.line == "GET /api/v1/node" && $0.query["user"] == nil })
        }
    }

    @Test("transient faults (5xx, 429 with Retry-After, a slow answer) are retried and the run succeeds")
    func transientFaults() async throws {
        let world = try await LifecycleWorld.start(version: .v0_26)
        try await withFake(world) { world in
            _ = Self.seed(world)
            world.headscale.faults.inject(.status(503), times: 2, on: "GET", pathPrefix: "/api/v1/node")
            world.headscale.faults.inject(.status(502), times: 1, on: "DELETE")
            world.headscale.faults.inject(.rateLimited(retryAfter: 1), times: 1, on: "POST")
            world.cloudflare.faults.inject(.rateLimited(retryAfter: 1), times: 1, on: "GET")
            world.cloudflare.faults.inject(.status(500), times: 1, on: "DELETE")
            world.cloudflare.faults.inject(.slow(.milliseconds(300)), times: 1, on: "DELETE")
            try await world.cleanup()
            #expect(world.headscale.nodes.filter { $0.name == "ollama" && $0.user == LifecycleWorld.user }.isEmpty)
            #expect(world.cloudflare.records(named: LifecycleWorld.fqdn).filter { $0.type != "TXT" }.map(\.content) == ["203.0.113.10"])
            #expect(POSIXFile.contents(world.keyPath) == world.headscale.issuedKeys.last?.key)
        }
    }

    @Test("a refused Headscale key fails fast, says so, and writes nothing", arguments: FakeHeadscale.Version.allCases)
    func refusedHeadscaleKey(version: FakeHeadscale.Version) async throws {
        let world = try await LifecycleWorld.start(version: version)
        try await withFake(world) { world in
            _ = Self.seed(world)
            let error = await #expect(throws: HeadscaleError.self) {
                try await world.cleanup(["HEADSCALE_API_KEY": "hskey-wrong"])
            }
            #expect(error?.isUnauthorized == true)
            #expect(error?.description.contains("refused the API key") == true)
            // One request: a refused key is not retried, even when old Headscale calls it a 500.
            #expect(world.headscale.requests.count == 1)
            #expect(!world.keyFileExists)
            #expect(world.headscale.nodes.count == 7)
        }
    }

    @Test("a refused Cloudflare token fails fast, says so, and writes nothing")
    func refusedCloudflareToken() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            _ = Self.seed(world)
            let error = await #expect(throws: CloudflareError.self) {
                try await world.cleanup(["CLOUDFLARE_API_TOKEN": "cf-wrong"])
            }
            #expect(error?.isUnauthorized == true)
            #expect(error?.description.contains("refused the API token") == true)
            #expect(world.cloudflare.requests.count == 1)
            #expect(!world.keyFileExists)
            #expect(world.headscale.issuedKeys.isEmpty)
        }
    }

    @Test("no key file on any failure: unknown user, key refused, malformed answer, Headscale down")
    func nothingWrittenOnFailure() async throws {
        let world = try await LifecycleWorld.start(version: .v0_26)
        try await withFake(world) { world in
            _ = Self.seed(world)

            await #expect(throws: HeadscaleError.self) { try await world.cleanup(["HEADSCALE_USER": "nobody"]) }
            #expect(!world.keyFileExists)

            world.headscale.faults.inject(.malformedJSON, times: 1, on: "GET", pathPrefix: "/api/v1/node")
            let malformed = await #expect(throws: HeadscaleError.self) { try await world.cleanup() }
            #expect(malformed?.description.contains("not valid") == true)
            #expect(!world.keyFileExists)

            world.headscale.faults.inject(.status(500), times: 10, on: "POST")
            await #expect(throws: HeadscaleError.self) { try await world.cleanup() }
            #expect(!world.keyFileExists)

            let unreachable = try world.configuration(["HEADSCALE_URL": "http://127.0.0.1:1"])
            await #expect(throws: HeadscaleError.self) {
                try await CleanupWorkflow(configuration: unreachable, clients: world.clients(unreachable), logger: LifecycleWorld.quietLogger).run()
            }
            #expect(!world.keyFileExists)
            #expect(POSIXFile.list(world.scratch.path).isEmpty)
        }
    }

    @Test("a node that survives deletion fails the run")
    func unverifiedDeletion() async throws {
        let world = try await LifecycleWorld.start(version: .v0_28)
        try await withFake(world) { world in
            world.headscale.addNode(name: "ollama", user: LifecycleWorld.user)
            // Headscale answers 200 to the delete but the node stays.
            world.headscale.faults.inject(.response(.json(200, "{}")), times: 1, on: "DELETE")
            let error = await #expect(throws: LifecycleError.self) { try await world.cleanup() }
            #expect(error?.description.contains("still present") == true)
            #expect(!world.keyFileExists)
        }
    }

    @Test("without a Cloudflare token the DNS steps are skipped and the key is still written")
    func withoutCloudflare() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            _ = Self.seed(world)
            try await world.cleanup(["CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_ZONE_ID": ""])
            #expect(world.cloudflare.requests.isEmpty)
            #expect(world.cloudflare.records.count == 7)
            #expect(world.keyFileExists)
        }
    }
}
