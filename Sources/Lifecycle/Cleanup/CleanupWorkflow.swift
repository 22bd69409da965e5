import Cloudflare
import Headscale
import Logging

/// `charon-lifecycle cleanup`, the init container: deletes the service's stale nodes and stale
/// DNS records, then issues a fresh pre-auth key and writes it (0600, atomically). Any step that
/// fails or cannot be verified stops the run before the key is written.
///
/// ```swift
/// try await CleanupWorkflow(configuration: configuration).run()
/// ```
public struct CleanupWorkflow: Sendable {
    public let configuration: LifecycleConfiguration
    public let clients: LifecycleClients
    let logger: Logger

    public init(configuration: LifecycleConfiguration, clients: LifecycleClients? = nil, logger: Logger = Logger(label: "charon.lifecycle")) {
        self.configuration = configuration
        self.clients = clients ?? LifecycleClients(configuration: configuration, logger: logger)
        self.logger = logger
    }

    public func run() async throws {
        let scope = configuration.scope
        logger.info("cleanup for \(configuration.hostname): Headscale \(configuration.headscaleURL), user \(configuration.headscaleUser)")
        // Resolve the user first: a wrong key or user fails here, before anything is deleted.
        let user = try await clients.headscale.user(named: configuration.headscaleUser)
        try await StaleNodeCleaner(headscale: clients.headscale, scope: scope, logger: logger).removeStaleNodes(hostname: configuration.hostname)
        if let keeper = clients.recordKeeper {
            try await keeper.removeStaleRecords()
        } else {
            logger.info("CLOUDFLARE_API_TOKEN not set: DNS steps skipped")
        }
        let options = PreAuthKeyOptions(
            expiration: configuration.authKeyExpiration,
            reusable: configuration.authKeyReusable,
            ephemeral: configuration.authKeyEphemeral,
            tags: configuration.authKeyTags
        )
        try await PreAuthKeyIssuer(headscale: clients.headscale, user: configuration.headscaleUser, options: options, logger: logger)
            .issue(writingTo: configuration.authKeyOutputPath, resolved: user)
    }
}
