import Crypto

/// The tailnet hostname of a node's internal ingress: `nginx-ingress-<node>`, one valid DNS label of
/// at most 63 bytes for every legal Kubernetes node name. It is also the Headscale node name the
/// stale-node cleanup matches exactly, and the first label of the node's DNS record, so two nodes
/// must never share one: each join would delete the other's registration as stale.
///
/// - A node name that is already a DNS label and fits is used as it is: `worker-3` →
///   `nginx-ingress-worker-3`.
/// - Any other legal name (a DNS subdomain up to 253 bytes: `ip-10-0-1-23.ec2.internal`, long GKE
///   names) has its dots turned into hyphens, is cut to fit, and ends in `-` plus 10 hex digits of
///   the SHA-256 of the whole node name. The hash keeps names apart that the cut or the dots would
///   merge (`a.b` and `a-b`, names that differ only after the 38th byte).
///
/// Node conditions and `/status` keep the real node name; only the tailnet sees this one.
///
/// ```swift
/// try IngressHostname(nodeName: "worker-3").value                   // "nginx-ingress-worker-3"
/// try IngressHostname(nodeName: "ip-10-0-1-23.ec2.internal").value  // "nginx-ingress-ip-10-0-1-23-ec2-internal-<10 hex>"
/// try IngressHostname(nodeName: "node_1")                           // throws: not a DNS subdomain
/// ```
public struct IngressHostname: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "nginx-ingress-"
    /// Hex digits of the name's SHA-256 kept when a name is rewritten: 40 bits, so a fleet of
    /// thousands of nodes has a chance of a clash far below one in a million.
    static let hashDigits = 10

    /// The node name as given (lowercased).
    public let nodeName: String
    /// The hostname to register.
    public let value: String

    public init(nodeName: String) throws {
        let lowered = nodeName.lowercased()
        guard DNSName.isName(lowered) else {
            throw IngressHostnameError(nodeName: nodeName)
        }
        self.nodeName = lowered
        let plain = Self.prefix + lowered
        if DNSName.isLabel(plain) {
            value = plain
            return
        }
        let digest = SHA256.hash(data: Array(lowered.utf8))
        let hash = digest.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined().prefix(Self.hashDigits)
        let room = 63 - Self.prefix.utf8.count - 1 - Self.hashDigits
        var stem = String(lowered.replacingDots().utf8.prefix(room))!
        while stem.hasSuffix("-") { stem.removeLast() }
        value = Self.prefix + stem + "-" + hash
    }

    public var description: String { value }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "-" : $0 }) }

    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
