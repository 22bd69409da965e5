import Agent
import CharonSupport
import Glibc

/// The environment variables charon-node reads. Their names, flags and defaults are
/// `NodeSetting`'s (and `FleetSetting`'s, `LifecycleSetting`'s); this reads them. Also read:
/// `KUBERNETES_SERVICE_HOST`/`_PORT` (set by Kubernetes; turns Node conditions on) and
/// `NOTIFY_SOCKET`, `WATCHDOG_USEC` (set by systemd for `Type=notify`, `WatchdogSec=`).
enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }

    /// The setting's value, nil when unset or empty.
    static func value(_ setting: NodeSetting) -> String? { value(setting.environmentName) }
    /// The setting's value, else its default (for the settings that have one).
    static func text(_ setting: NodeSetting) -> String { value(setting) ?? setting.defaultValue ?? "" }
    static func number(_ setting: NodeSetting) -> Double { value(setting).flatMap(Double.init) ?? setting.defaultNumber }
    /// FLEET_ENABLED, INGRESS_ENABLED: what counts as on.
    static func isOn(_ setting: NodeSetting) -> Bool { ["1", "true", "yes", "on"].contains(text(setting).lowercased()) }

    static var imageOutput: String { text(.imageOutput) }
    static var containerdAddress: String { text(.containerdAddress) }
    static var containerdNamespace: String { text(.containerdNamespace) }
    static var imageSpec: String? { value(.imageSpec) }
    static var sourceDateEpoch: Int { value(.sourceDateEpoch).flatMap(Int.init) ?? Int(NodeSetting.sourceDateEpoch.defaultNumber) }
    static var logLevel: String { text(.logLevel) }
    static var nodeName: String {
        if let name = value(.nodeName) { return name }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    static var statusAddress: String { text(.statusAddress) }
    static var agentInterval: Double { number(.agentInterval) }
    static var agentRetryInterval: Double { number(.agentRetryInterval) }
    static var shutdownGrace: Double { number(.shutdownGrace) }
    static var conditionHeartbeat: Double { number(.conditionHeartbeat) }
    static var minimumFreeDiskMiB: Int { value(.minimumFreeDisk).flatMap(Int.init) ?? Int(NodeSetting.minimumFreeDisk.defaultNumber) }
    static var statusURL: String { text(.statusURL) }

    /// The whole environment, for the parts that read several variables at once (in-cluster
    /// Kubernetes configuration, systemd's notify socket and watchdog).
    static var all: [String: String] { ProcessEnvironment.current }
}
