/// The tailnet hostname of a node's internal ingress: `nginx-ingress-<node>`, cut to 63 bytes (one
/// DNS label) without a trailing hyphen. It is also the Headscale node name the stale-node cleanup
/// matches exactly, and the first label of the node's DNS record.
///
/// ```swift
/// try IngressHostname(nodeName: "worker-3").value   // "nginx-ingress-worker-3"
/// try IngressHostname(nodeName: "node.example.com") // throws: not a DNS label
/// ```
public struct IngressHostname: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "nginx-ingress-"

    /// The node name as given (lowercased).
    public let nodeName: String
    /// The hostname to register.
    public let value: String

    public init(nodeName: String) throws {
        let lowered = nodeName.lowercased()
        guard DNSName.isLabel(lowered) else {
            throw IngressHostnameError(nodeName: nodeName)
        }
        self.nodeName = lowered
        var name = String((Self.prefix + lowered).utf8.prefix(63))!
        while name.hasSuffix("-") { name.removeLast() }
        value = name
    }

    public var description: String { value }
}

/// A node name that cannot become a tailnet hostname.
public struct IngressHostnameError: Error, CustomStringConvertible, Equatable, Sendable {
    public var nodeName: String

    public var description: String {
        let shown = nodeName.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
        return "node name \"\(shown)\" is not a DNS label (1-63 letters, digits or hyphens, no hyphen at either end); "
            + "set NODE_NAME or --node to this node's short name"
    }
}
