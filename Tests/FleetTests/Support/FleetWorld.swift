import CharonSupport
import Cloudflare
import Fleet
import HTTP
import Lifecycle
import Logging
import TestSupport

/// The Headscale and Cloudflare fakes plus fleet settings pointing at them: one per test.
///
/// ```swift
/// let world = try await FleetWorld.start()
/// world.headscale.addNode(name: "ollama", user: FleetWorld.user)
/// let summary = await world.pass().run()
/// ```
final class FleetWorld: StoppableFake, Sendable {
    static let apiKey = "hskey-api-SECRET-fleet-5d1c"
    static let token = "cf-token-SECRET-fleet-88aa"
    static let zone = "zonefleet0123456789"
    static let user = "services"
    static let domain = "example.com"
    static let marker = RecordOwnership.marker(ownerID: "charon")

    let apis: HeadscaleAndCloudflare
    var headscale: FakeHeadscale { apis.headscale }
    var cloudflare: FakeCloudflare { apis.cloudflare }

    private init(apis: HeadscaleAndCloudflare) {
        self.apis = apis
    }

    static func start(version: FakeHeadscale.Version = .v0_28, maxPerPage: Int = 5_000, batchLimit: Int = 200) async throws -> FleetWorld {
        FleetWorld(
            apis: try await HeadscaleAndCloudflare.start(
                version: version,
                apiKey: apiKey,
                user: user,
                token: token,
                zoneID: zone,
                maxPerPage: maxPerPage,
                batchLimit: batchLimit
            )
        )
    }

    func stop() async { await apis.stop() }

    func environment(_ overrides: [String: String] = [:]) -> [String: String] {
        var environment = apis.environment
        environment["DOMAIN_NAME"] = Self.domain
        for (name, value) in overrides { environment[name] = value }
        return environment.filter { !$0.value.isEmpty }
    }

    func configuration(_ overrides: [String: String] = [:]) throws -> FleetConfiguration {
        try FleetConfiguration.resolve(environment: environment(overrides))
    }

    /// A pass with fast retries, so fault tests take milliseconds.
    func pass(_ overrides: [String: String] = [:]) throws -> FleetPass {
        FleetPass(configuration: try configuration(overrides), http: Self.fastHTTP(), logger: Self.quietLogger)
    }

    static func fastHTTP() -> HTTPClient {
        HTTPClient(
            configuration: .init(
                // Per attempt: far above what a loopback answer takes on a loaded machine (an attempt
                // that timed out would be retried and change the counts the tests assert).
                connectTimeout: .seconds(10),
                requestTimeout: .seconds(30),
                retryDeadline: .seconds(8),
                maxAttempts: 4,
                initialBackoff: .milliseconds(10),
                maxBackoff: .milliseconds(50)
            )
        )
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    /// RFC 3339 of `hours` ago.
    static func hoursAgo(_ hours: Int) -> String {
        RFC3339.format(epochSeconds: RFC3339.nowEpochSeconds - hours * 3600)
    }

    /// The zone's records as (name, type, content, comment), sorted: for "nothing changed" checks.
    var zone: [String] {
        cloudflare.records.map { "\($0.id) \($0.name) \($0.type) \($0.content) \($0.comment ?? "-") \($0.ttl)" }.sorted()
    }

    func records(named name: String, type: String) -> [FakeCloudflare.Record] {
        cloudflare.records(named: name).filter { $0.type == type }
    }
}
