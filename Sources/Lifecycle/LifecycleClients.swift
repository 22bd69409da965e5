import Cloudflare
import HTTP
import Headscale
import Logging

/// The Headscale client and, when a Cloudflare token is configured, the DNS record keeper, built
/// from one configuration and sharing one HTTP client.
///
/// ```swift
/// let clients = LifecycleClients(configuration: configuration)
/// let nodes = try await clients.headscale.nodes(user: "services")
/// ```
public struct LifecycleClients: Sendable {
    public let headscale: HeadscaleClient
    public let cloudflare: CloudflareClient?
    public let recordKeeper: DNSRecordKeeper?

    public init(configuration: LifecycleConfiguration, http: HTTPClient? = nil, logger: Logger = Logger(label: "charon.lifecycle")) {
        let http =
            http
            ?? HTTPClient(
                configuration: HTTPClient.Configuration(userAgent: "charon-lifecycle", maxResponseBytes: configuration.maxResponseBytes),
                logger: logger
            )
        headscale = HeadscaleClient(baseURL: configuration.headscaleURL, apiKey: configuration.headscaleAPIKey, http: http, logger: logger)
        if let settings = configuration.cloudflare, let fqdn = configuration.fqdn {
            let cloudflare = CloudflareClient(baseURL: settings.apiURL, zoneID: settings.zoneID, token: settings.token, http: http, logger: logger)
            self.cloudflare = cloudflare
            recordKeeper = DNSRecordKeeper(
                cloudflare: cloudflare,
                ownership: RecordOwnership(fqdn: fqdn, ownerID: configuration.ownerID),
                ttl: configuration.dnsTTL,
                logger: logger
            )
        } else {
            cloudflare = nil
            recordKeeper = nil
        }
    }
}
