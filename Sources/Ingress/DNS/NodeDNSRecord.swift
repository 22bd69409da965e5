import Lifecycle
import Logging
import Tailscale

/// Points `nginx-ingress-<node>.<domain>` at the node's tailnet addresses (A and AAAA) with the
/// Lifecycle ``DNSRecordKeeper``: the same ownership rules as the pods' records, so a record the
/// tool does not own is reported and never changed.
///
/// ```swift
/// let dns = NodeDNSRecord(keeper: clients.recordKeeper, fqdn: configuration.fqdn)
/// let actions = try await dns.reconcile(addresses: status.addresses)
/// ```
public struct NodeDNSRecord: Sendable {
    /// nil when no Cloudflare token is configured: DNS is then skipped, as in the pods.
    public let keeper: DNSRecordKeeper?
    public let fqdn: String?

    public init(keeper: DNSRecordKeeper?, fqdn: String?) {
        self.keeper = keeper
        self.fqdn = fqdn
    }

    public var isConfigured: Bool { keeper != nil }

    /// Reconciles the records for the first IPv4 and first IPv6 tailnet address; returns the changes.
    @discardableResult
    public func reconcile(addresses: [String]) async throws -> [DNSRecordKeeper.Action] {
        guard let keeper else { return [] }
        let ipv4 = addresses.first { !$0.contains(":") && IPAddress($0)?.isTailnet == true }
        let ipv6 = addresses.first { $0.contains(":") && IPAddress($0)?.isTailnet == true }
        guard ipv4 != nil || ipv6 != nil else {
            // Never delete records because tailscaled showed no address for a moment.
            throw NodeDNSError(message: "no tailnet address to publish for \(fqdn ?? "the node")")
        }
        return try await keeper.reconcile(ipv4: ipv4, ipv6: ipv6)
    }
}
