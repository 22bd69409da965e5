import CharonSupport

/// The host firewall that keeps the internal ingress on the tailnet, and the node closed to the
/// tailnet, for IPv4 and IPv6 alike (one nftables `inet` table owned by charon):
///
/// - TCP ports 80/443 addressed to the node itself are dropped unless they arrive on the Tailscale
///   interface or loopback (the LAN never reaches the ingress);
/// - new connections arriving on the Tailscale interface are dropped unless they are TCP to one of
///   the tailnet ports (`INGRESS_TAILNET_PORTS`, 80 and 443) or ICMP: tailscaled runs in kernel
///   mode on the host network, so without this every tailnet member would reach kubelet, ssh, the
///   agent and, on control-plane nodes, the API server and etcd. Replies to the node's own
///   connections are not new and pass. LAN traffic to other ports is not this table's business.
///
/// Binding nginx to the tailnet address would not keep LAN hosts out (Linux answers for any local
/// address on any interface), so the filter is on the input interface. `fib daddr type local`
/// limits it to traffic for the node's own addresses, so LoadBalancer traffic that kube-proxy
/// forwards to the external controller's pods is never touched.
///
/// The chain hooks `input` at priority ``chainPriority`` (110), after IPVS. kube-proxy in IPVS mode
/// binds every Service VIP to the `kube-ipvs0` dummy, so a pod's connection to
/// `kubernetes.default:443` arrives on `input` with a local destination and the pod's veth as input
/// interface. IPVS takes such packets at `input` priority 99 (`NF_IP_PRI_NAT_SRC - 1`, deliberately
/// after the filter chains) and hands them to a backend; what reaches priority 110 is only what the
/// kernel is about to deliver to a local socket. So Service traffic passes, while every local
/// address (a VIP without that port, another interface's address: the weak-host path) stays
/// closed to anything but the Tailscale interface and loopback.
///
/// ```swift
/// let policy = try FirewallPolicy(tailscaleInterface: "tailscale0")
/// print(policy.applyScript)   // feed to `nft -f`
/// ```
public struct FirewallPolicy: Sendable, Equatable {
    /// The nftables table charon owns; nothing else in the ruleset is read or written.
    public var tableName: String
    /// Ports reachable only through the allowed interfaces.
    public var ports: [UInt16]
    /// Interfaces the ports stay open on: loopback and the Tailscale one.
    public var allowedInterfaces: [String]
    /// The Tailscale interface, closed to new connections but for ``tailnetPorts``.
    public var tailnetInterface: String
    /// TCP ports a tailnet peer may open a connection to on this node.
    public var tailnetPorts: [UInt16]

    public static let defaultTableName = "charon_ingress"
    public static let chainName = "input"
    /// After IPVS's `input` hooks (98 and 99), before nothing that delivers: see the type's notes.
    public static let chainPriority = 110

    /// Validates every name, since they are spliced into an nft script.
    public init(
        tailscaleInterface: String = "tailscale0",
        ports: [UInt16] = [80, 443],
        tailnetPorts: [UInt16] = [80, 443],
        tableName: String = FirewallPolicy.defaultTableName
    ) throws {
        guard Self.isInterfaceName(tailscaleInterface) else {
            throw FirewallError.invalidPolicy("interface name \"\(tailscaleInterface)\" is not a Linux interface name (1-15 of A-Z a-z 0-9 . _ -)")
        }
        guard !ports.isEmpty, !ports.contains(0) else {
            throw FirewallError.invalidPolicy("ports must be a non-empty list of 1-65535")
        }
        guard !tailnetPorts.isEmpty, !tailnetPorts.contains(0) else {
            throw FirewallError.invalidPolicy("tailnet ports must be a non-empty list of 1-65535")
        }
        guard Self.isTableName(tableName) else {
            throw FirewallError.invalidPolicy("table name \"\(tableName)\" must be a letter then letters, digits or _")
        }
        self.tableName = tableName
        self.ports = Array(Set(ports)).sorted()
        self.allowedInterfaces = Array(Set(["lo", tailscaleInterface])).sorted()
        self.tailnetInterface = tailscaleInterface
        self.tailnetPorts = Array(Set(tailnetPorts)).sorted()
    }

    /// `80,443,22` (INGRESS_TAILNET_PORTS) as ports, or an error naming the bad item.
    public static func parsePorts(_ text: String) throws -> [UInt16] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard !text.trimmingWhitespace().isEmpty else { throw FirewallError.invalidPolicy("tailnet ports \"\(text)\": expected a list like 80,443") }
        return try items.map { item in
            guard let port = UInt16(item), port > 0 else {
                throw FirewallError.invalidPolicy("tailnet ports \"\(text)\": \"\(item)\" is not a port (1-65535)")
            }
            return port
        }
    }

    /// One `nft -f` transaction: create the table if missing (so the delete cannot fail), delete
    /// it, and define it afresh. The kernel applies the batch atomically: there is no moment with
    /// no rule, and no moment with an old and a new rule together.
    public var applyScript: String {
        """
        table inet \(tableName)
        delete table inet \(tableName)
        table inet \(tableName) {
        \tcomment "managed by charon-node: tcp \(Self.list(ports)) only on \(allowedInterfaces.joined(separator: ", ")); \(tailnetInterface) only tcp \(Self.list(tailnetPorts))"
        \tchain \(Self.chainName) {
        \t\ttype filter hook input priority \(Self.chainPriority); policy accept;
        \(ruleTexts.map { "\t\t\($0)" }.joined(separator: "\n"))
        \t}
        }

        """
    }

    /// Removes the table if present and succeeds if it is already gone.
    public var removeScript: String {
        "table inet \(tableName)\ndelete table inet \(tableName)\n"
    }

    /// The rules in order, as nft prints them: the ingress ports closed to all but the allowed
    /// interfaces; then, on the Tailscale interface, new connections other than TCP to the tailnet
    /// ports, and other than TCP or ICMP (UDP, SCTP, …), dropped.
    public var ruleTexts: [String] {
        let names = allowedInterfaces.map { "\"\($0)\"" }
        let interfaceMatch = names.count == 1 ? names[0] : "{ \(names.joined(separator: ", ")) }"
        let tailnet = "iifname \"\(tailnetInterface)\" ct state new"
        return [
            "tcp dport \(Self.match(ports)) fib daddr type local iifname != \(interfaceMatch) drop",
            "\(tailnet) tcp dport != \(Self.match(tailnetPorts)) drop",
            "\(tailnet) meta l4proto != { \(Self.tailnetProtocols.joined(separator: ", ")) } drop",
        ]
    }

    /// What may start a connection on the Tailscale interface: TCP (to the tailnet ports, by the
    /// rule before) and ICMP, so a peer can still ping the node.
    static let tailnetProtocols = ["icmp", "tcp", "ipv6-icmp"]

    private static func list(_ ports: [UInt16]) -> String { ports.map(String.init).joined(separator: ", ") }

    private static func match(_ ports: [UInt16]) -> String { ports.count == 1 ? "\(ports[0])" : "{ \(list(ports)) }" }

    static func isInterfaceName(_ name: String) -> Bool {
        (1...15).contains(name.utf8.count) && name != "." && name != ".."
            && name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    static func isTableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
