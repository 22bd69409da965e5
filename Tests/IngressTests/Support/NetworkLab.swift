import CharonSupport
import Glibc
import HostCommand
import Ingress
import Synchronization
import TestSupport

/// Three network namespaces: `node` (where nginx and the firewall run), `client` (a host on the
/// tailnet and on the LAN) and `pod` (a pod on this node). The tailnet pair is named like
/// Tailscale's interface; the node also has a second LAN address on `lan1` (the weak-host path:
/// the client reaches it through `pub0`) and Service VIPs bound to a `kube-ipvs0` device that is
/// left down, the way kube-proxy's IPVS mode binds them.
///
/// ```
///   client                          node                                         pod
///   ts-peer  100.64.0.2   <──veth──> tailscale0 100.64.0.1   fd7a:115c:a1e0::1
///   pub-peer 192.0.2.2    <──veth──> pub0       192.0.2.1    2001:db8::1
///     (route 198.51.100.0/24 via pub0) lan1     198.51.100.1 2001:db8:1::1
///                                    kube-ipvs0 10.96.0.1    fd00:96::1 (down)
///                                    pod0       10.244.0.1   fd00:244::1 <──veth──> eth0 10.244.0.2
/// ```
///
/// Use ``withNetworkLab(_:)``: it removes both namespaces even when the body throws, and sweeps
/// namespaces left by crashed earlier runs (their names carry the dead process id).
final class NetworkLab: Sendable {
    let node: String
    let client: String
    let pod: String

    static let nodeTailnetIPv4 = "100.64.0.1"
    static let nodeTailnetIPv6 = "fd7a:115c:a1e0::1"
    static let nodePublicIPv4 = "192.0.2.1"
    static let nodePublicIPv6 = "2001:db8::1"
    /// The node's address on another interface, reached by the client through `pub0`.
    static let nodeOtherIPv4 = "198.51.100.1"
    static let nodeOtherIPv6 = "2001:db8:1::1"
    /// Service VIPs on `kube-ipvs0`, as kube-proxy's IPVS mode binds them.
    static let serviceVIPv4 = "10.96.0.1"
    static let serviceVIPv6 = "fd00:96::1"
    static let nodePodIPv4 = "10.244.0.1"
    static let podIPv4 = "10.244.0.2"
    static let clientPublicIPv4 = "192.0.2.2"
    static let clientPublicIPv6 = "2001:db8::2"

    private static let counter = Atomic<Int>(0)
    private static let prefix = "charon-lab-"

    private init(base: String) {
        node = "\(base)-node"
        client = "\(base)-client"
        pod = "\(base)-pod"
    }

    static func create() async throws -> NetworkLab {
        try await sweepStale()
        let serial = counter.add(1, ordering: .relaxed).newValue
        let base = "\(prefix)\(getpid())-\(serial)"
        let lab = NetworkLab(base: base)
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
        try await status(from: client, url, timeout: timeout)
    }

    /// The HTTP status the pod gets for `url`, or nil when the connection times out (dropped).
    func podStatus(_ url: String, timeout: Int = 2) async throws -> Int? {
        try await status(from: pod, url, timeout: timeout)
    }

    private func status(from space: String, _ url: String, timeout: Int) async throws -> Int? {
        let output = try await HostCommand(executable: "ip").run([
            "netns", "exec", space,
            "curl", "-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--connect-timeout", "\(timeout)",
            "--max-time", "\(timeout + 2)", url,
        ])
        if output.exitCode == 28 { return nil }  // CURLE_OPERATION_TIMEDOUT: SYNs went unanswered
        guard output.succeeded, let code = Int(output.standardOutput) else {
            throw LabError("curl \(url) from \(space): exit \(output.exitCode): \(output.standardError)")
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
        try await buildKubernetesSide(ip)
    }

    /// The pod, the node's second LAN address and the IPVS-style VIPs.
    private func buildKubernetesSide(_ ip: HostCommand) async throws {
        try await ip.check(["netns", "add", pod])
        try await ip.check(["-n", node, "link", "add", "pod0", "type", "veth", "peer", "name", "eth0", "netns", pod])
        // No dummy driver in every kernel: an empty bridge left down binds addresses the same way
        // (local routes exist, nothing is ever sent on it).
        try await ip.check(["-n", node, "link", "add", "kube-ipvs0", "type", "bridge"])
        try await ip.check(["-n", node, "link", "add", "lan1", "type", "bridge"])
        for (space, interface, v4, v6, up) in [
            (node, "pod0", "10.244.0.1/24", "fd00:244::1/64", true),
            (pod, "eth0", "10.244.0.2/24", "fd00:244::2/64", true),
            (node, "lan1", "198.51.100.1/24", "2001:db8:1::1/64", true),
            (node, "kube-ipvs0", "10.96.0.1/32", "fd00:96::1/128", false),
        ] {
            try await ip.check(["-n", space, "addr", "add", v4, "dev", interface])
            try await ip.check(["-n", space, "addr", "add", v6, "dev", interface, "nodad"])
            if up { try await ip.check(["-n", space, "link", "set", interface, "up"]) }
        }
        try await ip.check(["-n", pod, "link", "set", "lo", "up"])
        try await ip.check(["-n", pod, "route", "add", "default", "via", "10.244.0.1"])
        try await ip.check(["-n", pod, "-6", "route", "add", "default", "via", "fd00:244::1"])
        // The client sends the node's other LAN addresses through pub0 (the weak-host path), and
        // answers the pod's DNATed connections back through the node.
        try await ip.check(["-n", client, "route", "add", "198.51.100.0/24", "via", Self.nodePublicIPv4])
        try await ip.check(["-n", client, "-6", "route", "add", "2001:db8:1::/64", "via", Self.nodePublicIPv6])
        try await ip.check(["-n", client, "route", "add", "10.244.0.0/24", "via", Self.nodePublicIPv4])
        try await ip.check(["-n", client, "-6", "route", "add", "fd00:244::/64", "via", Self.nodePublicIPv6])
        // The node routes between pods and the LAN, as a Kubernetes node does.
        try await check(inNode(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]))
        try await check(inNode(["sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"]))
    }

    private func check(_ output: HostCommand.Output) throws {
        guard output.succeeded else { throw LabError("lab setup: \(output.standardError)") }
    }

    func destroy() async {
        for space in [node, client, pod] {
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
