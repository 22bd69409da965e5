/// The fleet's environment variables in the agent, each with its default in one place.
///
/// | variable | option | default |
/// |---|---|---|
/// | `FLEET_ENABLED` | `agent --fleet` | `false` |
/// | `FLEET_LEASE_DURATION` | `agent --fleet-lease-duration` | `60` (seconds) |
/// | `POD_NAMESPACE` | `agent --fleet-namespace` | `charon-system` |
/// | `FLEET_INTERVAL`, `OFFLINE_NODE_TTL`, `FLEET_BATCH_SIZE` | `fleet --interval` … | `300`, `24h`, `200` |
extension Environment {
    static var fleetEnabled: Bool { ["1", "true", "yes", "on"].contains(value("FLEET_ENABLED")?.lowercased() ?? "") }
    /// What FLEET_ENABLED may say.
    static let booleans: Set<String> = ["1", "true", "yes", "on", "0", "false", "no", "off"]
    static var fleetLeaseDuration: String { value("FLEET_LEASE_DURATION") ?? "60" }
    static var podNamespace: String { value("POD_NAMESPACE") ?? "charon-system" }
}
