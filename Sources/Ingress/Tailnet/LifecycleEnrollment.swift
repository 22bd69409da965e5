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
        let cleaner = StaleNodeCleaner(headscale: clients.headscale, scope: scope, logger: logger)
        let named = try await cleaner.staleNodes(hostname: hostname)
        // An online registration is a machine in use (the old controller during a hand-over, or
        // the same node name in another cluster): never taken from it.
        if let online = named.first(where: \.online) {
            throw TailnetJoinError.registrationHeldElsewhere(name: online.name, id: online.id, addresses: online.ipAddresses)
        }
        return try await cleaner.remove(named, hostname: hostname).count
    }

    /// Single-use whatever `AUTHKEY_REUSABLE` says (that setting is the service pods'), and never
    /// longer-lived than the pods' `AUTHKEY_EXPIRATION`.
    public func createPreAuthKey(expiringIn lifetime: Duration) async throws -> String {
        let options = PreAuthKeyOptions(
            expiration: min(lifetime, configuration.authKeyExpiration),
            reusable: false,
            ephemeral: configuration.authKeyEphemeral,
            tags: configuration.authKeyTags
        )
        return try await PreAuthKeyIssuer(headscale: clients.headscale, user: configuration.headscaleUser, options: options, logger: logger)
            .issue().key
    }
}
