import CharonSupport
import Lifecycle

/// The resolved settings of a fleet pass: the lifecycle image's shared settings (scope, Headscale,
/// Cloudflare, domain, ownership marker, TTL) plus ``FleetSetting``'s. A flag wins over the
/// environment, which wins over the default; secrets may come from `*_FILE`.
///
/// ```swift
/// let configuration = try FleetConfiguration.resolve(environment: environment)
/// print(configuration.offlineNodeTTL ?? .zero)  // 86400.0 seconds
/// ```
public struct FleetConfiguration: Sendable {
    /// The shared settings, read with the lifecycle image's rules and messages. Its hostname is a
    /// placeholder: a fleet pass serves every node in scope, not one service.
    public var lifecycle: LifecycleConfiguration
    /// Offline nodes last seen longer ago than this are deleted; nil: never.
    public var offlineNodeTTL: Duration?
    /// Time between passes when looping (jittered ±10%).
    public var interval: Duration
    /// Operations per batch call (Cloudflare: 200 on Free, 3,500 on paid plans).
    public var batchSize: Int
    /// Records per listing page.
    public var pageSize: Int = 5_000

    /// The smallest TTL allowed: a node that restarts or loses its network for a moment must
    /// never look abandoned.
    public static let minimumOfflineNodeTTL: Duration = .seconds(300)
    /// Cloudflare's largest batch (paid plans).
    public static let maximumBatchSize = 3_500

    public var scope: NodeScope { lifecycle.scope }
    /// The comment every record this tool writes carries.
    public var marker: String { lifecycle.ownershipMarker }

    /// Resolves every setting; throws ``ConfigurationError`` naming the first bad one. `flags` and
    /// `environment` are keyed by environment variable name.
    public static func resolve(environment: [String: String], flags: [String: String] = [:]) throws -> FleetConfiguration {
        var lifecycleFlags = flags
        lifecycleFlags[LifecycleSetting.tsHostname.environmentName] = "charon-fleet"
        let lifecycle = try LifecycleConfiguration.resolve(environment: environment, flags: lifecycleFlags)
        func text(_ setting: FleetSetting) -> String {
            for source in [flags, environment] {
                if let value = source[setting.environmentName]?.trimmingWhitespace(), !value.isEmpty { return value }
            }
            return setting.defaultValue
        }

        let ttlText = text(.offlineNodeTTL)
        var ttl: Duration?
        if ttlText.lowercased() != "off" {
            guard let parsed = DurationParser.parse(ttlText) else {
                throw ConfigurationError("OFFLINE_NODE_TTL=\(ttlText) is not a duration (e.g. 24h, 90m, 7d; 0 or off to never sweep)")
            }
            if parsed != .zero {
                guard parsed >= minimumOfflineNodeTTL else {
                    throw ConfigurationError("OFFLINE_NODE_TTL=\(ttlText) is below 5m: a node that restarts would be swept")
                }
                ttl = parsed
            }
        }

        let intervalText = text(.interval)
        guard let interval = DurationParser.parse(intervalText), interval > .zero else {
            throw ConfigurationError("FLEET_INTERVAL=\(intervalText) is not a positive duration (e.g. 300, 5m)")
        }

        let batchText = text(.batchSize)
        guard let batchSize = Int(batchText), (1...maximumBatchSize).contains(batchSize) else {
            throw ConfigurationError("FLEET_BATCH_SIZE=\(batchText) is not a whole number in 1...\(maximumBatchSize) (200 on Free zones)")
        }
        return FleetConfiguration(lifecycle: lifecycle, offlineNodeTTL: ttl, interval: interval, batchSize: batchSize)
    }
}
