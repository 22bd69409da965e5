import CharonSupport

/// Names the settings that changed in the agent's ConfigMap since the agent started: a
/// container's environment is fixed at start, so those wait for a restart
/// (`kubectl -n charon-system rollout restart ds/charon-node`). The DaemonSet mounts the same
/// ConfigMap as files (`SETTINGS_DIRECTORY`), which kubelet keeps current; each pass compares every
/// key there with the value this process runs with.
///
/// A pending restart is not a failure (the node runs, on the old values), so the check passes with
/// the reason `RestartNeeded`, the names and both values in its message and `pendingRestart`
/// detail: `/status` and the `CharonSettingsProblem` condition's reason show it. The ConfigMap
/// holds no secrets (those are files of their own, read again every pass), so the values are shown.
///
/// ```swift
/// let check = SettingsCheck(directory: "/etc/charon-node/settings", running: ProcessEnvironment.current)
/// await check.run().message  // "restart to apply AGENT_INTERVAL (running 60, configured 30)"
/// ```
public struct SettingsCheck: HealthCheck {
    public static let checkName = "settings"
    public let name = SettingsCheck.checkName
    public var directory: String
    /// The environment this process started with.
    public var running: [String: String]

    public init(directory: String, running: [String: String]) {
        self.directory = directory
        self.running = running
    }

    public func run() async -> HealthCheckResult {
        let names: [String]
        do {
            names = try POSIXIO.listDirectory(directory).filter(Self.isSettingName).sorted()
        } catch {
            return .failed("cannot read the settings folder \(directory): \(error)", reason: "SettingsUnreadable")
        }
        var pending: [String] = []
        for name in names {
            // kubelet writes each key as a symlink into its current `..data` folder: read follows it.
            guard let bytes = try? POSIXIO.readFile("\(directory)/\(name)") else { continue }
            let configured = String(decoding: bytes, as: UTF8.self)
            let current = running[name] ?? ""
            if configured != current {
                pending.append("\(name) (running \(Self.shown(current)), configured \(Self.shown(configured)))")
            }
        }
        guard !pending.isEmpty else {
            return .ok("running as configured (\(names.count) settings in \(directory))", reason: "SettingsApplied")
        }
        return .ok(
            "restart to apply \(pending.joined(separator: ", "))",
            reason: "RestartNeeded",
            details: ["pendingRestart": pending.map { String($0.prefix { $0 != " " }) }.joined(separator: ",")]
        )
    }

    /// ConfigMap keys that are environment variables; kubelet's own entries start with `..`.
    public static func isSettingName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (65...90).contains(first) else { return false }
        return name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// Quoted, one line, at most 80 characters.
    static func shown(_ value: String) -> String {
        let line = value.map { $0.isNewline ? " " : String($0) }.joined()
        return "\"\(line.count > 80 ? String(line.prefix(77)) + "..." : line)\""
    }
}
