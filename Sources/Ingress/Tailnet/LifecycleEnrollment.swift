import Headscale
import Lifecycle
import Logging

/// ``TailnetEnrollment`` on the Lifecycle code the service pods use: the same stale-node rules
/// (exact `name`, the configured user or exact tags) and the same key issuer.
///
/// ```swift
/// let configuration = try IngressLifecycleSettings.configuration(hostname: hostname, environment: env)
/// let enrollment = LifecycleEnrollment(configuration: configuration, clients: LifecycleClients(configuration: configuration))
/// ```
public struct LifecycleEnrollment: TailnetEnrollment {
    public let configuration: LifecycleConfiguration
    public let clients: LifecycleClients
    let logger: Logger

    public init(configuration: LifecycleConfiguration, clients: LifecycleClients, logger: Logger = Logger(label: "charon.ingress.tailnet")) {
        self.configuration = configuration
        self.clients = clients
        self.logger = logger
    }

    var scope: NodeScope { configuration.scope }

    public func removeStaleNodes(named hostname: String) async throws -> Int {
        // Resolve the user first: a wrong API key or user fails before anything is deleted.
        _ = try await clients.headscale.user(named: configuration.headscaleUser)
        return try await StaleNodeCleaner(headscale: clients.headscale, scope: scope, logger: logger).removeStaleNodes(hostname: hostname).count
    }

    public func createPreAuthKey() async throws -> String {
        let options = PreAuthKeyOptions(
            expiration: configuration.authKeyExpiration,
            reusable: configuration.authKeyReusable,
            ephemeral: configuration.authKeyEphemeral,
            tags: configuration.authKeyTags
        )
        return try await PreAuthKeyIssuer(headscale: clients.headscale, user: configuration.headscaleUser, options: options, logger: logger)
            .issue().key
    }
}
