/// Every setting of `charon-lifecycle`: its environment variable, its flag, its default and its
/// help. This table is the one place defaults live (like Tailscale's containerboot).
///
/// ```swift
/// LifecycleSetting.monitorInterval.environmentName  // "MONITOR_INTERVAL"
/// LifecycleSetting.monitorInterval.flagName         // "monitor-interval"
/// LifecycleSetting.monitorInterval.defaultValue     // "30"
/// ```
public enum LifecycleSetting: String, CaseIterable, Sendable {
    case tsHostname = "TS_HOSTNAME"
    case domainName = "DOMAIN_NAME"
    case headscaleURL = "HEADSCALE_URL"
    case headscaleNamespace = "HEADSCALE_NAMESPACE"
    case headscaleAPIKey = "HEADSCALE_API_KEY"
    case headscaleAPIKeyFile = "HEADSCALE_API_KEY_FILE"
    case headscaleUser = "HEADSCALE_USER"
    case cloudflareAPIToken = "CLOUDFLARE_API_TOKEN"
    case cloudflareAPITokenFile = "CLOUDFLARE_API_TOKEN_FILE"
    case cloudflareZoneID = "CLOUDFLARE_ZONE_ID"
    case cloudflareAPIURL = "CLOUDFLARE_API_URL"
    case authKeyOutputPath = "AUTHKEY_OUTPUT_PATH"
    case authKeyExpiration = "AUTHKEY_EXPIRATION"
    case authKeyTags = "AUTHKEY_TAGS"
    case authKeyEphemeral = "AUTHKEY_EPHEMERAL"
    case authKeyReusable = "AUTHKEY_REUSABLE"
    case maxRetries = "MAX_RETRIES"
    case retryInterval = "RETRY_INTERVAL"
    case monitorInterval = "MONITOR_INTERVAL"
    case dnsRecheckInterval = "DNS_RECHECK_INTERVAL"
    case fleetManagedDNS = "FLEET_MANAGED_DNS"
    case dnsTTL = "DNS_TTL"
    case ownerID = "OWNER_ID"
    case httpMaxResponseMiB = "HTTP_MAX_RESPONSE_MIB"

    /// The environment variable.
    public var environmentName: String { rawValue }

    /// The long flag (without `--`): `HEADSCALE_API_KEY_FILE` → `headscale-api-key-file`.
    public var flagName: String { rawValue.lowercased().replacingUnderscores() }

    /// The default, or nil when the setting is required or optional without one.
    /// `$HEADSCALE_NAMESPACE` in a default is replaced by that setting's value.
    public var defaultValue: String? {
        switch self {
        case .headscaleURL: "http://headscale.$HEADSCALE_NAMESPACE.svc.cluster.local:8080"
        case .headscaleNamespace: "core"
        case .cloudflareAPIURL: "https://api.cloudflare.com/client/v4"
        case .authKeyOutputPath: "/tailscale-auth/authkey"
        case .authKeyExpiration: "1h"
        case .authKeyEphemeral: "false"
        case .authKeyReusable: "false"
        case .maxRetries: "30"
        case .retryInterval: "10"
        case .monitorInterval: "30"
        case .dnsRecheckInterval: "300"
        case .fleetManagedDNS: "false"
        case .dnsTTL: "60"
        case .ownerID: "charon"
        case .httpMaxResponseMiB: "4"
        case .tsHostname, .domainName, .headscaleAPIKey, .headscaleAPIKeyFile, .headscaleUser, .cloudflareAPIToken,
            .cloudflareAPITokenFile, .cloudflareZoneID, .authKeyTags:
            nil
        }
    }

    /// Whether the value is a credential: read from the environment or `*_FILE` only (a flag is
    /// refused: every process on the node can read a command line), never printed.
    public var isSecret: Bool { self == .headscaleAPIKey || self == .cloudflareAPIToken }

    /// One line for `--help`.
    public var help: String {
        let text: String =
            switch self {
            case .tsHostname: "The service's tailnet hostname (ollama or ollama.example.com). Required."
            case .domainName: "DNS zone name; the record is <first label of TS_HOSTNAME>.<DOMAIN_NAME>. Required for DNS."
            case .headscaleURL: "Headscale base URL."
            case .headscaleNamespace: "Namespace of the Headscale service (used in the default URL)."
            case .headscaleAPIKey:
                "Headscale API key: environment only, the flag is refused (visible in /proc/*/cmdline). Prefer HEADSCALE_API_KEY_FILE."
            case .headscaleAPIKeyFile: "File holding the Headscale API key."
            case .headscaleUser: "Headscale user that owns the nodes and keys. Required."
            case .cloudflareAPIToken:
                "Cloudflare API token; DNS steps are skipped when absent. Environment only, the flag is refused (visible in /proc/*/cmdline). Prefer CLOUDFLARE_API_TOKEN_FILE."
            case .cloudflareAPITokenFile: "File holding the Cloudflare API token."
            case .cloudflareZoneID: "Cloudflare zone id. Required with a token."
            case .cloudflareAPIURL: "Cloudflare API base URL."
            case .authKeyOutputPath: "Where cleanup writes the pre-auth key (mode 0600, atomic)."
            case .authKeyExpiration: "Pre-auth key lifetime (30m, 1h, 24h)."
            case .authKeyTags: "Comma-separated ACL tags for the key (tag:web,tag:prod)."
            case .authKeyEphemeral: "Issue an ephemeral key (true/false)."
            case .authKeyReusable: "Issue a reusable key (true/false)."
            case .maxRetries: "dns-create: polls for the node to register."
            case .retryInterval: "dns-create: seconds between those polls."
            case .monitorInterval: "dns-create: seconds between checks of the node's address in Headscale."
            case .dnsRecheckInterval: "dns-create: seconds between re-reads of the record from Cloudflare (jittered)."
            case .fleetManagedDNS:
                "dns-create: true when the fleet pass keeps the zone (charon-node fleet): write at start and on an address change only, no periodic re-read."
            case .dnsTTL: "TTL of the records created (1 = automatic)."
            case .ownerID: "Ownership marker written in the comment of every record this tool creates."
            case .httpMaxResponseMiB:
                "Largest response body read from Headscale or Cloudflare, in MiB after decompression (the Headscale node list may be 4 times this); 1 to 1024."
            }
        return defaultValue.map { "\(text) Env \(environmentName); default \($0)." } ?? "\(text) Env \(environmentName)."
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
