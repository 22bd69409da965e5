import Cloudflare
import HTTP
import Headscale
import Lifecycle
import Logging
import TestSupport

/// Fakes of Headscale and Cloudflare plus the settings pointing at them: one per test.
///
/// ```swift
/// let world = try await LifecycleWorld.start(version: .v0_26)
/// try await CleanupWorkflow(configuration: world.configuration(), clients: world.clients()).run()
/// ```
final class LifecycleWorld: StoppableFake, @unchecked Sendable {
    static let apiKey = "hskey-api-SECRET-7f3a9c"
    static let token = "cf-token-SECRET-91b2e4"
    static let zone = "zone0123456789abcdef"
    static let user = "services"
    static let hostname = "ollama"
    static let fqdn = "ollama.example.com"
    static let marker = RecordOwnership.marker(ownerID: "charon")

    let apis: HeadscaleAndCloudflare
    let scratch: TemporaryDirectory
    var headscale: FakeHeadscale { apis.headscale }
    var cloudflare: FakeCloudflare { apis.cloudflare }

    private init(apis: HeadscaleAndCloudflare, scratch: TemporaryDirectory) {
        self.apis = apis
        self.scratch = scratch
    }

    static func start(version: FakeHeadscale.Version = .v0_28, maxPerPage: Int = 5_000) async throws -> LifecycleWorld {
        let apis = try await HeadscaleAndCloudflare.start(
            version: version,
            apiKey: apiKey,
            user: user,
            token: token,
            zoneID: zone,
            maxPerPage: maxPerPage
        )
        return LifecycleWorld(apis: apis, scratch: try TemporaryDirectory(prefix: "lifecycle"))
    }

    func stop() async { await apis.stop() }

    var keyPath: String { scratch.path + "/authkey" }

    /// The environment a pod would give the container, pointing at the fakes.
    func environment(_ overrides: [String: String] = [:]) -> [String: String] {
        var environment = apis.environment
        environment.merge([
            "TS_HOSTNAME": Self.hostname,
            "DOMAIN_NAME": "example.com",
            "AUTHKEY_OUTPUT_PATH": keyPath,
            "RETRY_INTERVAL": "0.05",
            "MAX_RETRIES": "5",
            "MONITOR_INTERVAL": "0.05",
            "DNS_RECHECK_INTERVAL": "300",
        ]) { _, setting in setting }
        for (name, value) in overrides { environment[name] = value }
        return environment.filter { !$0.value.isEmpty }
    }

    func configuration(_ overrides: [String: String] = [:]) throws -> LifecycleConfiguration {
        try LifecycleConfiguration.resolve(environment: environment(overrides), flags: [:])
    }

    /// Clients whose retry waits are counted, not slept (a skipping clock), so fault tests take
    /// milliseconds and never depend on how fast the machine is.
    func clients(_ configuration: LifecycleConfiguration) -> LifecycleClients {
        let http = HTTPClient(
            configuration: .init(
                // Per attempt: far above what a loopback answer takes on a loaded machine (an attempt
                // that timed out would be retried and change the counts the tests assert).
                connectTimeout: .seconds(10),
                requestTimeout: .seconds(30),
                retryDeadline: .seconds(8),
                maxAttempts: 5,
                initialBackoff: .milliseconds(10),
                maxBackoff: .milliseconds(50)
            ),
            clock: ManualClock(skipping: true)
        )
        return LifecycleClients(configuration: configuration, http: http, logger: Self.quietLogger)
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    func cleanup(_ overrides: [String: String] = [:]) async throws {
        let configuration = try configuration(overrides)
        try await CleanupWorkflow(configuration: configuration, clients: clients(configuration), logger: Self.quietLogger).run()
    }

    /// Whether the key file exists.
    var keyFileExists: Bool { POSIXFile.exists(keyPath) }
}
