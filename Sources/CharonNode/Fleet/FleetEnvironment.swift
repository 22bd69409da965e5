import Agent

/// The fleet's variables in the agent: `NodeSetting.fleetEnabled`, `.fleetLeaseDuration`,
/// `.podNamespace`. The pass's own (`FLEET_INTERVAL`, `OFFLINE_NODE_TTL`, `FLEET_BATCH_SIZE`) are
/// `FleetSetting`'s.
extension Environment {
    static var fleetEnabled: Bool { isOn(.fleetEnabled) }
    /// What FLEET_ENABLED may say.
    static let booleans: Set<String> = ["1", "true", "yes", "on", "0", "false", "no", "off"]
    static var fleetLeaseDuration: String { text(.fleetLeaseDuration) }
    static var podNamespace: String { text(.podNamespace) }
}
