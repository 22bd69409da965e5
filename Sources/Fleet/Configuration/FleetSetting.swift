/// The settings only the fleet pass reads, beside the lifecycle image's (`HEADSCALE_*`,
/// `AUTHKEY_TAGS`, `CLOUDFLARE_*`, `DOMAIN_NAME`, `OWNER_ID`, `DNS_TTL`): variable, default, help.
///
/// ```swift
/// FleetSetting.offlineNodeTTL.environmentName  // "OFFLINE_NODE_TTL"
/// FleetSetting.offlineNodeTTL.defaultValue     // "24h"
/// ```
public enum FleetSetting: String, CaseIterable, Sendable {
    case offlineNodeTTL = "OFFLINE_NODE_TTL"
    case interval = "FLEET_INTERVAL"
    case batchSize = "FLEET_BATCH_SIZE"

    /// The environment variable.
    public var environmentName: String { rawValue }

    public var defaultValue: String {
        switch self {
        case .offlineNodeTTL: "24h"
        case .interval: "300"
        case .batchSize: "200"
        }
    }

    /// One line for `--help`.
    public var help: String {
        let text: String =
            switch self {
            case .offlineNodeTTL:
                "Delete nodes in scope that are offline and were last seen longer ago than this (5m or more; 0 or off: never)."
            case .interval: "Seconds between fleet passes, jittered ±10% (without --once; in the agent, on the leader)."
            case .batchSize: "Operations per Cloudflare batch call: 200 on the Free plan, up to 3500 on paid plans."
            }
        return "\(text) Env \(environmentName); default \(defaultValue)."
    }
}
