import CharonSupport
import Glibc
import HostCommand
import Ingress
import Synchronization
import TestSupport

/// Two network namespaces joined by two veth pairs: `node` (where nginx and the firewall run) and
/// `client`. One pair is named like Tailscale's interface and carries tailnet addresses, the other
/// is a "public" LAN.
///
/// ```
///   client                         node
///   ts-peer  100.64.0.2  <──veth──> tailscale0 100.64.0.1  fd7a:115c:a1e0::1
///   pub-peer 192.0.2.2   <──veth──> pub0       192.0.2.1   2001:db8::1
/// ```
///
/// Use ``withNetworkLab(_:)``: it removes both namespaces even when the body throws, and sweeps
/// namespaces left by crashed earlier runs (their names carry the dead process id).
final class NetworkLab: Sendable {
    let node: String
    let client: String

    static let nodeTailnetIPv4 = "100.64.0.1"
    static let nodeTailnetIPv6 = "fd7a:115c:a1e0::1"
    static let nodePublicIPv4 = "192.0.2.1"
    static let nodePublicIPv6 = "2001:db8::1"

    private static let counter = Atomic<Int>(0)
    private static let prefix = "charon-lab-"

    private init(node: String, client: String) {
        self.node = node
        self.client = client
    }

    static func create() async throws -> NetworkLab {
        try await sweepStale()
        let serial = counter.add(1, ordering: .relaxed).newValue
        let base = "\(prefix)\(getpid())-\(serial)"
        let lab = NetworkLab(node: "\(base)-node", client: "\(base)-client")
        do {
            try await lab.build()
        } catch {
            await lab.destroy()
            throw error
        }
        return lab
    }

    /// `ip netns exec <node> …`
    var nodeLauncherWords: [String] { ["ip", "netns", "exec", node] }

    func inNode(_ arguments: [String]) async throws -> HostCommand.Output {
        try await HostCommand(executable: "ip").run(["netns", "exec", node] + arguments)
    }

    func inClient(_ arguments: [String]) async throws -> HostCommand.Output {
        try await HostCommand(executable: "ip").run(["netns", "exec", client] + arguments)
    }

    /// The HTTP status the client gets for `url`, or nil when the connection times out (dropped).
    func clientStatus(_ url: String, timeout: Int = 2) async throws -> Int? {
        let output = try await inClient([
            "curl", "-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--connect-timeout", "\(timeout)",
            "--max-time", "\(timeout + 2)", url,
        ])
        if output.exitCode == 28 { return nil }  // CURLE_OPERATION_TIMEDOUT: SYNs went unanswered
        guard output.succeeded, let code = Int(output.standardOutput) else {
            throw LabError("curl \(url): exit \(output.exitCode): \(output.standardError)")
        }
        return code
    }

    private func build() async throws {
        let ip = HostCommand(executable: "ip")
        try await ip.check(["netns", "add", node])
        try await ip.check(["netns", "add", client])
        try await ip.check(["-n", node, "link", "add", "tailscale0", "type", "veth", "peer", "name", "ts-peer", "netns", client])
        try await ip.check(["-n", node, "link", "add", "pub0", "type", "veth", "peer", "name", "pub-peer", "netns", client])
        // nodad: IPv6 addresses are usable at once instead of after duplicate detection.
        for (space, interface, v4, v6) in [
            (node, "tailscale0", "100.64.0.1/24", "fd7a:115c:a1e0::1/64"),
            (node, "pub0", "192.0.2.1/24", "2001:db8::1/64"),
            (client, "ts-peer", "100.64.0.2/24", "fd7a:115c:a1e0::2/64"),
            (client, "pub-peer", "192.0.2.2/24", "2001:db8::2/64"),
        ] {
            try await ip.check(["-n", space, "addr", "add", v4, "dev", interface])
            try await ip.check(["-n", space, "addr", "add", v6, "dev", interface, "nodad"])
            try await ip.check(["-n", space, "link", "set", interface, "up"])
        }
        try await ip.check(["-n", node, "link", "set", "lo", "up"])
        try await ip.check(["-n", client, "link", "set", "lo", "up"])
    }

    func destroy() async {
        for space in [node, client] {
            _ = try? await HostCommand(executable: "ip").run(["netns", "del", space])
        }
    }

    /// Removes lab namespaces whose creating process is gone.
    private static func sweepStale() async throws {
        guard let names = try? POSIXIO.listDirectory("/run/netns") else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                _ = try? await HostCommand(executable: "ip").run(["netns", "del", name])
            }
        }
    }
}

/// Runs `body` with a fresh lab and always tears it down.
func withNetworkLab<T>(_ body: (NetworkLab) async throws -> T) async throws -> T {
    let lab = try await NetworkLab.create()
    do {
        let result = try await body(lab)
        await lab.destroy()
        return result
    } catch {
        await lab.destroy()
        throw error
    }
}
