import Cloudflare
import Headscale
import Lifecycle

/// Computes the changes that make the zone match the nodes in scope, with the lifecycle image's
/// ownership rules (``RecordOwnership``):
///
/// - each node has `<first label of its name>.<DOMAIN_NAME>` → its tailnet addresses: one A, and
///   one AAAA when it has IPv6; a wrong address is PATCHed in place, managed duplicates go, and a
///   type the node has no address of loses its managed records;
/// - where several nodes share a name, the online one wins, then the newest (highest id);
/// - a record at a node's name is managed if it carries the marker or points into the tailnet
///   ranges; anything else there is foreign: never changed, and if it is an A/AAAA of the type to
///   create (or a CNAME), the name is reported and nothing is created beside it;
/// - a name one label under the domain with no node in scope loses the A/AAAA records that carry
///   the marker; records without it (even with a tailnet address) are someone else's;
/// - names deeper or outside the domain, other types, and nodes without any address are left alone.
///
/// ```swift
/// let planner = ZonePlanner(domain: "example.com", ownerID: "charon")
/// let plan = planner.plan(nodes: nodes, records: listing.records)
/// ```
public struct ZonePlanner: Sendable {
    /// The zone's name for services, lower case, without a trailing dot.
    public let domain: String
    public let ownerID: String

    public init(domain: String, ownerID: String) {
        self.domain = Self.normal(domain)
        self.ownerID = ownerID
    }

    public var marker: String { RecordOwnership.marker(ownerID: ownerID) }

    public func plan(nodes: [HeadscaleNode], records: [DNSRecord]) -> ZonePlan {
        var plan = ZonePlan()
        // The node that owns each label.
        var owners: [String: HeadscaleNode] = [:]
        var invalid = Set<String>()
        for node in nodes {
            guard let label = Self.label(of: node.name), Self.fqdnLength(label, domain) <= 253 else {
                invalid.insert(node.name)
                continue
            }
            if let current = owners[label], !Self.prefers(node, over: current) { continue }
            owners[label] = node
        }
        plan.invalidNames = invalid.sorted()

        // Records one label under the domain, by label.
        var byLabel: [String: [DNSRecord]] = [:]
        let suffix = "." + domain
        for record in records {
            let name = Self.normal(record.name)
            guard name.hasSuffix(suffix) else { continue }
            let label = String(name.dropLast(suffix.count))
            guard !label.isEmpty, !label.contains(".") else { continue }
            byLabel[label, default: []].append(record)
        }

        for label in owners.keys.sorted() {
            reconcile(name: "\(label).\(domain)", node: owners[label]!, records: byLabel[label] ?? [], into: &plan)
        }
        for label in byLabel.keys.sorted() where owners[label] == nil {
            let name = "\(label).\(domain)"
            let ownership = RecordOwnership(fqdn: name, ownerID: ownerID)
            for record in byLabel[label]! where (record.type == "A" || record.type == "AAAA") && ownership.isOwned(record) {
                plan.changes.append(
                    ZoneChange(kind: .delete(reason: "no node in scope"), name: name, type: record.type, content: record.content, recordID: record.id)
                )
            }
        }
        return plan
    }

    private func reconcile(name: String, node: HeadscaleNode, records: [DNSRecord], into plan: inout ZonePlan) {
        let v4 = node.ipv4.flatMap(IPAddress.init)
        let v6 = node.ipv6.flatMap(IPAddress.init)
        // No address at all: nothing is known about where the name should point; leave it.
        guard v4 != nil || v6 != nil else { return }
        let ownership = RecordOwnership(fqdn: name, ownerID: ownerID)
        let aliased = records.contains { $0.type == "CNAME" }
        var reported = false
        for (type, address) in [("A", v4), ("AAAA", v6)] {
            let ofType = records.filter { $0.type == type }
            let managed = ofType.filter { ownership.verdict(for: $0).isManaged }
            let foreign = ofType.filter { !ownership.verdict(for: $0).isManaged }
            guard let address else {
                for record in managed {
                    plan.changes.append(
                        ZoneChange(
                            kind: .delete(reason: "node has no \(type == "A" ? "IPv4" : "IPv6") address"),
                            name: name,
                            type: type,
                            content: record.content,
                            recordID: record.id
                        )
                    )
                }
                continue
            }
            if managed.isEmpty {
                if !foreign.isEmpty || aliased {
                    if !reported { plan.foreignNames.append(name) }
                    reported = true
                    continue
                }
                plan.changes.append(ZoneChange(kind: .create, name: name, type: type, content: address.description))
                continue
            }
            let keep = managed.first { IPAddress($0.content) == address } ?? managed.first { ownership.isOwned($0) } ?? managed[0]
            if IPAddress(keep.content) != address {
                plan.changes.append(
                    ZoneChange(kind: .update(from: keep.content), name: name, type: type, content: address.description, recordID: keep.id)
                )
            }
            for duplicate in managed where duplicate.id != keep.id {
                plan.changes.append(
                    ZoneChange(kind: .delete(reason: "duplicate"), name: name, type: type, content: duplicate.content, recordID: duplicate.id)
                )
            }
        }
    }

    /// The DNS label for a node name: its first label, lower case; nil when that is no valid label.
    static func label(of name: String) -> String? {
        let label = name.split(separator: ".", omittingEmptySubsequences: false).first.map { $0.lowercased() } ?? ""
        let bytes = Array(label.utf8)
        guard (1...63).contains(bytes.count), bytes.first != 45, bytes.last != 45 else { return nil }
        guard bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }) else { return nil }
        return label
    }

    static func fqdnLength(_ label: String, _ domain: String) -> Int { label.utf8.count + 1 + domain.utf8.count }

    /// The online node, then the newest (highest id): the one a service's sidecar follows too.
    static func prefers(_ candidate: HeadscaleNode, over current: HeadscaleNode) -> Bool {
        if candidate.online != current.online { return candidate.online }
        return (UInt64(candidate.id) ?? 0) > (UInt64(current.id) ?? 0)
    }

    static func normal(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}
