/// The host firewall that keeps the internal ingress on the tailnet: TCP ports 80/443 addressed to
/// the node itself are dropped unless they arrive on the Tailscale interface or loopback, for IPv4
/// and IPv6 alike (one nftables `inet` table owned by charon).
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

    public static let defaultTableName = "charon_ingress"
    public static let chainName = "input"
    /// After IPVS's `input` hooks (98 and 99), before nothing that delivers: see the type's notes.
    public static let chainPriority = 110

    /// Validates every name, since they are spliced into an nft script.
    public init(
        tailscaleInterface: String = "tailscale0",
        ports: [UInt16] = [80, 443],
        tableName: String = FirewallPolicy.defaultTableName
    ) throws {
        guard Self.isInterfaceName(tailscaleInterface) else {
            throw FirewallError.invalidPolicy("interface name \"\(tailscaleInterface)\" is not a Linux interface name (1-15 of A-Z a-z 0-9 . _ -)")
        }
        guard !ports.isEmpty, !ports.contains(0) else {
            throw FirewallError.invalidPolicy("ports must be a non-empty list of 1-65535")
        }
        guard Self.isTableName(tableName) else {
            throw FirewallError.invalidPolicy("table name \"\(tableName)\" must be a letter then letters, digits or _")
        }
        self.tableName = tableName
        self.ports = Array(Set(ports)).sorted()
        self.allowedInterfaces = Array(Set(["lo", tailscaleInterface])).sorted()
    }

    /// One `nft -f` transaction: create the table if missing (so the delete cannot fail), delete
    /// it, and define it afresh. The kernel applies the batch atomically: there is no moment with
    /// no rule, and no moment with an old and a new rule together.
    public var applyScript: String {
        """
        table inet \(tableName)
        delete table inet \(tableName)
        table inet \(tableName) {
        \tcomment "managed by charon-node: tcp \(portList) only on \(allowedInterfaces.joined(separator: ", "))"
        \tchain \(Self.chainName) {
        \t\ttype filter hook input priority \(Self.chainPriority); policy accept;
        \t\t\(ruleText)
        \t}
        }

        """
    }

    /// Removes the table if present and succeeds if it is already gone.
    public var removeScript: String {
        "table inet \(tableName)\ndelete table inet \(tableName)\n"
    }

    /// The single rule, as nft prints it.
    public var ruleText: String {
        let portMatch = ports.count == 1 ? "\(ports[0])" : "{ \(portList) }"
        let names = allowedInterfaces.map { "\"\($0)\"" }
        let interfaceMatch = names.count == 1 ? names[0] : "{ \(names.joined(separator: ", ")) }"
        return "tcp dport \(portMatch) fib daddr type local iifname != \(interfaceMatch) drop"
    }

    private var portList: String { ports.map(String.init).joined(separator: ", ") }

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
