import Headscale

/// A node's addresses, as the records should hold them.
struct Addresses: Equatable, CustomStringConvertible {
    var ipv4: String?
    var ipv6: String?

    init(_ node: HeadscaleNode) {
        ipv4 = node.ipv4
        ipv6 = node.ipv6
    }

    var description: String {
        [ipv4, ipv6].compactMap { $0 }.joined(separator: " ").nonEmpty ?? "no address"
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
