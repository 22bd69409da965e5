import Lifecycle
import TestSupport
import Testing

/// Settings: defaults from the one table, flag over environment, `*_FILE` secrets, bad values.
@Suite("configuration")
struct ConfigurationTests {
    static let minimal = ["TS_HOSTNAME": "ollama", "HEADSCALE_API_KEY": "k", "HEADSCALE_USER": "services"]

    @Test("defaults match docs/lifecycle.md")
    func defaults() throws {
        let configuration = try LifecycleConfiguration.resolve(environment: Self.minimal, flags: [:])
        #expect(configuration.headscaleURL == "http://headscale.core.svc.cluster.local:8080")
        #expect(configuration.authKeyOutputPath == "/tailscale-auth/authkey")
        #expect(configuration.authKeyExpiration == .seconds(3600))
        #expect(configuration.authKeyTags.isEmpty)
        #expect(!configuration.authKeyEphemeral && !configuration.authKeyReusable)
        #expect(configuration.maxRetries == 30)
        #expect(configuration.retryInterval == .seconds(10))
        #expect(configuration.monitorInterval == .seconds(30))
        #expect(configuration.dnsRecheckInterval == .seconds(300))
        #expect(!configuration.fleetManagedDNS)
        #expect(configuration.dnsTTL == 60)
        #expect(configuration.ownerID == "charon")
        #expect(configuration.cloudflare == nil)
        #expect(configuration.fqdn == nil)
    }

    @Test("HEADSCALE_NAMESPACE feeds the default URL; flags win over the environment")
    func precedence() throws {
        var environment = Self.minimal
        environment["HEADSCALE_NAMESPACE"] = "vpn"
        environment["MONITOR_INTERVAL"] = "45"
        let configuration = try LifecycleConfiguration.resolve(
            environment: environment,
            flags: ["MONITOR_INTERVAL": "2m", "TS_HOSTNAME": "ollama.example.com"]
        )
        #expect(configuration.headscaleURL == "http://headscale.vpn.svc.cluster.local:8080")
        #expect(configuration.monitorInterval == .seconds(120))
        #expect(configuration.hostname == "ollama.example.com")
    }

    @Test("the record name is the first label of TS_HOSTNAME in DOMAIN_NAME")
    func fqdn() throws {
        var environment = Self.minimal
        environment["TS_HOSTNAME"] = "ollama.internal.example.org"
        environment["DOMAIN_NAME"] = "example.com."
        #expect(try LifecycleConfiguration.resolve(environment: environment, flags: [:]).fqdn == "ollama.example.com")
    }

    @Test("secrets are read from *_FILE, trimmed")
    func secretFiles() throws {
        let scratch = try TemporaryDirectory(prefix: "secrets")
        let keyFile = try scratch.write("api-key", "hskey-from-file\n", mode: 0o600)
        let tokenFile = try scratch.write("token", "cf-from-file\n", mode: 0o600)
        let environment = [
            "TS_HOSTNAME": "ollama", "HEADSCALE_USER": "services", "HEADSCALE_API_KEY_FILE": keyFile,
            "CLOUDFLARE_API_TOKEN_FILE": tokenFile, "CLOUDFLARE_ZONE_ID": "z", "DOMAIN_NAME": "example.com",
        ]
        let configuration = try LifecycleConfiguration.resolve(environment: environment, flags: [:])
        #expect(configuration.headscaleAPIKey == "hskey-from-file")
        #expect(configuration.cloudflare?.token == "cf-from-file")
        #expect(configuration.cloudflare?.apiURL == "https://api.cloudflare.com/client/v4")
    }

    @Test(
        "bad settings are named",
        arguments: [
            (["TS_HOSTNAME": ""], "TS_HOSTNAME is required"),
            (["HEADSCALE_API_KEY": ""], "HEADSCALE_API_KEY"),
            (["HEADSCALE_USER": ""], "HEADSCALE_USER is required"),
            (["HEADSCALE_API_KEY": "", "HEADSCALE_API_KEY_FILE": "/nonexistent/key"], "HEADSCALE_API_KEY_FILE: cannot read"),
            (["CLOUDFLARE_API_TOKEN": "t"], "CLOUDFLARE_ZONE_ID is required"),
            (["CLOUDFLARE_API_TOKEN": "t", "CLOUDFLARE_ZONE_ID": "z"], "DOMAIN_NAME is required"),
            (["AUTHKEY_EXPIRATION": "soon"], "AUTHKEY_EXPIRATION=soon"),
            (["AUTHKEY_TAGS": "web"], "AUTHKEY_TAGS: web"),
            (["AUTHKEY_REUSABLE": "maybe"], "AUTHKEY_REUSABLE=maybe"),
            (["MAX_RETRIES": "-1"], "MAX_RETRIES=-1"),
            (["DNS_TTL": "5"], "DNS_TTL=5"),
            (["HEADSCALE_URL": "headscale:8080"], "HEADSCALE_URL=headscale:8080"),
            (["OWNER_ID": String(repeating: "x", count: 80)], "OWNER_ID="),
            (["TS_HOSTNAME": "bad host"], "TS_HOSTNAME=bad host"),
        ]
    )
    func badSettings(overrides: [String: String], message: String) {
        var environment = Self.minimal
        for (name, value) in overrides { environment[name] = value }
        #expect {
            _ = try LifecycleConfiguration.resolve(environment: environment.filter { !$0.value.isEmpty }, flags: [:])
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(message) == true
        }
    }

    @Test("durations: Go style and bare seconds")
    func durations() {
        #expect(DurationParser.parse("30m") == .seconds(1800))
        #expect(DurationParser.parse("1h30m") == .seconds(5400))
        #expect(DurationParser.parse("24h") == .seconds(86400))
        #expect(DurationParser.parse("10") == .seconds(10))
        #expect(DurationParser.parse("0.05") == .milliseconds(50))
        #expect(DurationParser.parse("500ms") == .milliseconds(500))
        #expect(DurationParser.parse("1x") == nil)
        #expect(DurationParser.parse("") == nil)
    }

    @Test("every setting has a flag and one default place")
    func table() {
        #expect(LifecycleSetting.allCases.count == 23)
        #expect(LifecycleSetting.headscaleAPIKeyFile.flagName == "headscale-api-key-file")
        #expect(LifecycleSetting.tsHostname.defaultValue == nil)
        #expect(LifecycleSetting.allCases.allSatisfy { $0.help.contains($0.environmentName) })
    }
}
