import Glibc

/// The environment variables charon-node reads, each with its default in one place.
///
/// | variable | option | default |
/// |---|---|---|
/// | `IMAGE_SPEC` | `--spec` | `images/tailscale-lifecycle` (checkout) or the installed copy |
/// | `IMAGE_OUTPUT` | `--output` | `/var/lib/charon-node/tailscale-lifecycle-image.tar` |
/// | `CONTAINERD_ADDRESS` | `--containerd-address` | `/run/containerd/containerd.sock` |
/// | `CONTAINERD_NAMESPACE` | `--namespace` | `k8s.io` |
/// | `SOURCE_DATE_EPOCH` | — | `0` |
/// | `LOG_LEVEL` | — | `info` |
/// | `NODE_NAME` | `agent --node-name` | the host name |
/// | `STATUS_ADDRESS` | `agent --status-address` | `:9102` |
/// | `AGENT_INTERVAL` | `agent --interval` | `60` (seconds) |
/// | `AGENT_RETRY_INTERVAL` | `agent --retry-interval` | `10` (seconds) |
/// | `SHUTDOWN_GRACE` | `agent --shutdown-grace` | `20` (seconds) |
/// | `NODE_CONDITION_HEARTBEAT` | `agent --condition-heartbeat` | `300` (seconds) |
/// | `MIN_FREE_DISK_MB` | `agent --min-free-disk` | `256` (MiB) |
/// | `STATUS_URL` | `status --url` | `http://127.0.0.1:9102` |
/// | `KUBERNETES_SERVICE_HOST`/`_PORT` | — | set by Kubernetes; turns Node conditions on |
/// | `NOTIFY_SOCKET`, `WATCHDOG_USEC` | — | set by systemd (`Type=notify`, `WatchdogSec=`) |
enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }

    static let defaultImageOutput = "/var/lib/charon-node/tailscale-lifecycle-image.tar"
    static var imageOutput: String { value("IMAGE_OUTPUT") ?? defaultImageOutput }
    static var containerdAddress: String { value("CONTAINERD_ADDRESS") ?? "/run/containerd/containerd.sock" }
    static var containerdNamespace: String { value("CONTAINERD_NAMESPACE") ?? "k8s.io" }
    static var imageSpec: String? { value("IMAGE_SPEC") }
    static var logLevel: String { value("LOG_LEVEL") ?? "info" }
    static var nodeName: String {
        if let name = value("NODE_NAME") { return name }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    static var statusAddress: String { value("STATUS_ADDRESS") ?? ":9102" }
    static var agentInterval: Double { value("AGENT_INTERVAL").flatMap(Double.init) ?? 60 }
    static var agentRetryInterval: Double { value("AGENT_RETRY_INTERVAL").flatMap(Double.init) ?? 10 }
    static var shutdownGrace: Double { value("SHUTDOWN_GRACE").flatMap(Double.init) ?? 20 }
    static var conditionHeartbeat: Double { value("NODE_CONDITION_HEARTBEAT").flatMap(Double.init) ?? 300 }
    static var minimumFreeDiskMiB: Int { value("MIN_FREE_DISK_MB").flatMap(Int.init) ?? 256 }
    static var statusURL: String { value("STATUS_URL") ?? "http://127.0.0.1:9102" }

    /// The whole environment, for the parts that read several variables at once (in-cluster
    /// Kubernetes configuration, systemd's notify socket and watchdog).
    static var all: [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry = entry.advanced(by: 1)
        }
        return result
    }
}
