import Cloudflare

/// What the zone needs to match the nodes: the changes, and the names the pass wanted but found
/// held by records it does not own (reported, never taken).
///
/// ```swift
/// let plan = ZonePlanner(domain: "example.com", ownerID: "charon", ttl: 60).plan(nodes: nodes, records: records)
/// for (batch, changes) in plan.batches(limit: 200, ttl: 60, marker: marker) { … }
/// ```
public struct ZonePlan: Sendable, Equatable {
    public var changes: [ZoneChange] = []
    /// FQDNs where a foreign A/AAAA (or a CNAME) stops the pass from creating a record.
    public var foreignNames: [String] = []
    /// Node names that make no valid DNS label (never sent: one bad name would fail a whole batch).
    public var invalidNames: [String] = []

    public init() {}

    public var isEmpty: Bool { changes.isEmpty }

    /// The changes as batch bodies of at most `limit` operations each, deletes first, then
    /// patches, then creates (the order Cloudflare applies them in).
    public func batches(limit: Int, ttl: Int, marker: String) -> [(batch: DNSRecordBatch, changes: [ZoneChange])] {
        let ordered = changes.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }.map(\.element)
        var result: [(batch: DNSRecordBatch, changes: [ZoneChange])] = []
        var start = 0
        while start < ordered.count {
            let chunk = Array(ordered[start..<min(start + max(1, limit), ordered.count)])
            var batch = DNSRecordBatch()
            for change in chunk {
                switch change.kind {
                case .delete:
                    batch.deletes.append(.init(id: change.recordID ?? ""))
                case .update:
                    batch.patches.append(.init(id: change.recordID ?? "", type: change.type, content: change.content, ttl: ttl, comment: marker))
                case .create:
                    batch.posts.append(
                        DNSRecordInput(type: change.type, name: change.name, content: change.content, ttl: ttl, proxied: false, comment: marker)
                    )
                }
            }
            result.append((batch, chunk))
            start += chunk.count
        }
        return result
    }
}
