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

    @Test("a secret given as a flag is refused, naming why, without echoing it", arguments: ["HEADSCALE_API_KEY", "CLOUDFLARE_API_TOKEN"])
    func secretFlagsRefused(name: String) {
        let flag = "--" + name.lowercased().replacing("_", with: "-")
        let error = #expect(throws: ConfigurationError.self) {
            _ = try LifecycleConfiguration.resolve(environment: Self.minimal, flags: [name: "SECRET-on-the-command-line"])
        }
        #expect(error?.message.hasPrefix("\(flag) is refused: a secret on the command line is readable by every process") == true)
        #expect(error?.message.contains("set \(name) or \(name)_FILE instead") == true)
        #expect(error?.message.contains("SECRET-on-the-command-line") == false)
    }

    @Test("a credential sent over plain http to another host is warned about; https and loopback are not")
    func plainHTTPWarnings() throws {
        func warnings(_ environment: [String: String]) throws -> [String] {
            try LifecycleConfiguration.resolve(environment: Self.minimal.merging(environment) { $1 }, flags: [:]).plainHTTPWarnings
        }
        // The in-cluster default is plain http: a warning, so the operator knows.
        #expect(
            try warnings([:]) == [
                "HEADSCALE_URL=http://headscale.core.svc.cluster.local:8080 is plain http to another host: "
                    + "the API key crosses the network unencrypted; use https://"
            ]
        )
        for local in [
            "https://headscale.example.com", "http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "http+unix://%2Frun%2Fh.sock",
        ] {
            #expect(try warnings(["HEADSCALE_URL": local]).isEmpty, "\(local)")
        }
        for remote in ["http://10.0.0.5:8080", "http://headscale.example.com", "http://127.0.0.1.example.com", "http://user@headscale:8080"] {
            #expect(try warnings(["HEADSCALE_URL": remote]).count == 1, "\(remote)")
        }
        let cloudflare = try warnings([
            "HEADSCALE_URL": "https://headscale.example.com", "CLOUDFLARE_API_TOKEN": "t", "CLOUDFLARE_ZONE_ID": "z",
            "DOMAIN_NAME": "example.com", "CLOUDFLARE_API_URL": "http://cloudflare-proxy.internal/client/v4",
        ])
        #expect(cloudflare.count == 1)
        #expect(cloudflare.first?.hasPrefix("CLOUDFLARE_API_URL=http://cloudflare-proxy.internal/client/v4 is plain http") == true)
        #expect(cloudflare.allSatisfy { !$0.contains("t\"") })
    }

    @Test("the response cap is 4 MiB unless HTTP_MAX_RESPONSE_MIB says otherwise, within 1 to 1024")
    func responseCap() throws {
        #expect(try LifecycleConfiguration.resolve(environment: Self.minimal, flags: [:]).maxResponseBytes == 4 << 20)
        let raised = try LifecycleConfiguration.resolve(environment: Self.minimal.merging(["HTTP_MAX_RESPONSE_MIB": "16"]) { $1 }, flags: [:])
        #expect(raised.maxResponseBytes == 16 << 20)
        for bad in ["0", "2048", "4MiB", "-1"] {
            let error = #expect(throws: ConfigurationError.self) {
                _ = try LifecycleConfiguration.resolve(environment: Self.minimal.merging(["HTTP_MAX_RESPONSE_MIB": bad]) { $1 }, flags: [:])
            }
            #expect(error?.message == "HTTP_MAX_RESPONSE_MIB=\(bad) is not a whole number in 1...1024")
        }
    }

    @Test("every setting has a flag and one default place")
    func table() {
        #expect(LifecycleSetting.allCases.count == 24)
        #expect(LifecycleSetting.headscaleAPIKeyFile.flagName == "headscale-api-key-file")
        #expect(LifecycleSetting.tsHostname.defaultValue == nil)
        #expect(LifecycleSetting.allCases.allSatisfy { $0.help.contains($0.environmentName) })
    }
}
