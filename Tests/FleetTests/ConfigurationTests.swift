import Fleet
import Lifecycle
import Testing

/// The fleet settings: defaults, the shared lifecycle settings, bad values named.
@Suite("fleet configuration")
struct FleetConfigurationTests {
    static let minimal = ["HEADSCALE_API_KEY": "k", "HEADSCALE_USER": "services"]

    @Test("defaults: 24h TTL, 5 min interval, batches of 200 (Free plan), pages of 5000")
    func defaults() throws {
        let configuration = try FleetConfiguration.resolve(environment: Self.minimal)
        #expect(configuration.offlineNodeTTL == .seconds(86_400))
        #expect(configuration.interval == .seconds(300))
        #expect(configuration.batchSize == 200)
        #expect(configuration.pageSize == 5_000)
        #expect(configuration.scope == NodeScope(user: "services"))
        #expect(configuration.marker == "managed by charon-lifecycle; owner=charon")
        #expect(configuration.lifecycle.cloudflare == nil)
    }

    @Test("the lifecycle settings are shared: tags, owner, TTL, the Cloudflare trio")
    func shared() throws {
        var environment = Self.minimal
        environment["AUTHKEY_TAGS"] = "tag:a, tag:b"
        environment["OWNER_ID"] = "prod"
        environment["DNS_TTL"] = "300"
        environment["CLOUDFLARE_API_TOKEN"] = "t"
        environment["CLOUDFLARE_ZONE_ID"] = "z"
        environment["DOMAIN_NAME"] = "example.com."
        environment["OFFLINE_NODE_TTL"] = "7d"
        environment["FLEET_BATCH_SIZE"] = "3500"
        let configuration = try FleetConfiguration.resolve(environment: environment, flags: ["FLEET_INTERVAL": "10m"])
        #expect(configuration.scope == NodeScope(user: "services", tags: ["tag:a", "tag:b"]))
        #expect(configuration.marker.hasSuffix("owner=prod"))
        #expect(configuration.lifecycle.dnsTTL == 300 && configuration.lifecycle.domainName == "example.com")
        #expect(configuration.offlineNodeTTL == .seconds(7 * 86_400))
        #expect(configuration.interval == .seconds(600))
        #expect(configuration.batchSize == 3_500)
    }

    @Test(
        "bad values are named",
        arguments: [
            ("OFFLINE_NODE_TTL", "soon", "OFFLINE_NODE_TTL=soon"),
            ("OFFLINE_NODE_TTL", "1m", "below 5m"),
            ("FLEET_INTERVAL", "0", "FLEET_INTERVAL=0"),
            ("FLEET_BATCH_SIZE", "3501", "FLEET_BATCH_SIZE=3501"),
            ("FLEET_BATCH_SIZE", "0", "FLEET_BATCH_SIZE=0"),
            ("CLOUDFLARE_API_TOKEN", "t", "CLOUDFLARE_ZONE_ID"),
            ("HEADSCALE_USER", "", "HEADSCALE_USER"),
        ]
    )
    func badValues(name: String, value: String, message: String) {
        var environment = Self.minimal
        environment[name] = value
        environment = environment.filter { !$0.value.isEmpty }
        #expect {
            _ = try FleetConfiguration.resolve(environment: environment)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(message) == true
        }
    }

    @Test("Headscale lastSeen times: fractions, offsets, the zero time")
    func lastSeen() {
        #expect(LastSeenTime.epochSeconds("1970-01-01T00:01:00Z") == 60)
        #expect(LastSeenTime.epochSeconds("2026-12-02T09:00:00.123456789Z") == 1_796_202_000)
        #expect(LastSeenTime.epochSeconds("1970-01-01T01:00:00+01:00") == 0)
        #expect(LastSeenTime.epochSeconds("1970-01-01T00:00:00-00:30") == 1800)
        #expect(LastSeenTime.epochSeconds("0001-01-01T00:00:00Z") == nil)
        #expect(LastSeenTime.epochSeconds("yesterday") == nil)
        #expect(LastSeenTime.epochSeconds("2026-12-02 09:00:00") == nil)
    }
}
