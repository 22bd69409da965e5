import Cloudflare
import Logging

/// Keeps the service's DNS name pointing at its node: exactly one managed A record (and one AAAA
/// when the node has IPv6), updated in place, recreated when deleted, duplicates collapsed. Only
/// records ``RecordOwnership`` allows are ever changed; others are reported once and left alone.
///
/// ```swift
/// let keeper = DNSRecordKeeper(cloudflare: cloudflare, ownership: RecordOwnership(fqdn: fqdn, ownerID: "charon"), ttl: 60)
/// try await keeper.reconcile(ipv4: "100.64.0.7", ipv6: nil)
/// ```
public actor DNSRecordKeeper {
    /// One change made to Cloudflare.
    public enum Action: Sendable, Equatable, CustomStringConvertible {
        case created(type: String, content: String)
        case restored(type: String, content: String)
        case updated(type: String, from: String, to: String)
        case deleted(type: String, content: String, reason: String)

        public var description: String {
            switch self {
            case .created(let type, let content): "created \(type) \(content)"
            case .restored(let type, let content): "restored deleted \(type) \(content)"
            case .updated(let type, let from, let to): "updated \(type) \(from) -> \(to)"
            case .deleted(let type, let content, let reason): "deleted \(type) \(content) (\(reason))"
            }
        }
    }

    public let cloudflare: CloudflareClient
    public let ownership: RecordOwnership
    public let ttl: Int
    let logger: Logger
    /// Record types we have had a record of: a later absence is a deletion to restore.
    private var seen: Set<String> = []
    /// Foreign records already reported, so steady state stays quiet.
    private var reported: Set<String> = []

    public init(cloudflare: CloudflareClient, ownership: RecordOwnership, ttl: Int = 60, logger: Logger = Logger(label: "charon.lifecycle")) {
        self.cloudflare = cloudflare
        self.ownership = ownership
        self.ttl = ttl
        self.logger = logger
    }

    /// Deletes every managed A/AAAA record of the name (cleanup before the node re-registers).
    @discardableResult
    public func removeStaleRecords() async throws -> [Action] {
        var actions: [Action] = []
        for record in try await cloudflare.records(named: ownership.fqdn) {
            let verdict = ownership.verdict(for: record)
            guard case .managed(let owned) = verdict else {
                report(record, verdict)
                continue
            }
            try await cloudflare.deleteRecord(id: record.id)
            actions.append(done(.deleted(type: record.type, content: record.content, reason: owned ? "stale, owned" : "stale, tailnet address")))
        }
        if actions.isEmpty { logger.info("no stale DNS record for \(ownership.fqdn)") }
        return actions
    }

    /// Deletes the A/AAAA records of the name that carry this tool's ownership comment, and only
    /// those (uninstall): a record pointing into the tailnet without the comment, another type or
    /// another name stays. Returns what was deleted and how many records of the name were left.
    public func removeOwnedRecords() async throws -> (deleted: [Action], left: Int) {
        var actions: [Action] = []
        var left = 0
        for record in try await cloudflare.records(named: ownership.fqdn) {
            let verdict = ownership.verdict(for: record)
            guard verdict == .managed(owned: true) else {
                left += 1
                if verdict == .managed(owned: false) {
                    logger.info("\(ownership.fqdn): left alone \(record.type) \(record.content) (a tailnet address without charon's comment)")
                } else {
                    report(record, verdict)
                }
                continue
            }
            try await cloudflare.deleteRecord(id: record.id)
            actions.append(done(.deleted(type: record.type, content: record.content, reason: "owned")))
        }
        return (actions, left)
    }

    /// Makes Cloudflare hold exactly one managed record per address given, and none of a type
    /// whose address is nil. Logs and returns each change; no change, no log line.
    @discardableResult
    public func reconcile(ipv4: String?, ipv6: String?) async throws -> [Action] {
        let records = try await cloudflare.records(named: ownership.fqdn)
        var actions: [Action] = []
        for (type, address) in [("A", ipv4), ("AAAA", ipv6)] {
            actions += try await reconcile(type: type, address: address.flatMap(IPAddress.init), records: records.filter { $0.type == type })
        }
        for record in records where !ownership.verdict(for: record).isManaged {
            report(record, ownership.verdict(for: record))
        }
        return actions
    }

    private func reconcile(type: String, address: IPAddress?, records: [DNSRecord]) async throws -> [Action] {
        let managed = records.filter { ownership.verdict(for: $0).isManaged }
        var actions: [Action] = []
        guard let address else {
            // The node has no address of this type: ours must go.
            for record in managed {
                try await cloudflare.deleteRecord(id: record.id)
                actions.append(done(.deleted(type: type, content: record.content, reason: "node has no \(type == "A" ? "IPv4" : "IPv6") address")))
            }
            seen.remove(type)
            return actions
        }
        if managed.isEmpty {
            if records.contains(where: { !ownership.verdict(for: $0).isManaged }) {
                // Someone else's record holds the name: creating ours beside it would split traffic.
                logger.warning("\(ownership.fqdn): not creating \(type) \(address): a record this tool does not own holds the name")
                return []
            }
            let input = DNSRecordInput(
                type: type,
                name: ownership.fqdn,
                content: address.description,
                ttl: ttl,
                proxied: false,
                comment: ownership.marker
            )
            switch try await cloudflare.createRecord(input) {
            case .created:
                actions.append(
                    done(
                        seen.contains(type) ? .restored(type: type, content: address.description) : .created(type: type, content: address.description)
                    )
                )
            case .identicalExists:
                // 81058: it exists after all (a listing raced a create): list again, don't fail.
                let again = try await cloudflare.records(named: ownership.fqdn)
                guard again.contains(where: { $0.type == type && IPAddress($0.content) == address && ownership.verdict(for: $0).isManaged }) else {
                    throw LifecycleError("Cloudflare reports an identical \(type) record for \(ownership.fqdn) (81058) but lists none")
                }
                logger.info("\(ownership.fqdn): \(type) \(address) already existed (81058)")
            }
            seen.insert(type)
            return actions
        }
        seen.insert(type)
        let keep = managed.first { IPAddress($0.content) == address } ?? managed.first { ownership.isOwned($0) } ?? managed[0]
        if IPAddress(keep.content) != address {
            // PATCH, not PUT: PUT would replace the whole record and drop fields we do not send.
            _ = try await cloudflare.updateRecord(id: keep.id, DNSRecordInput(content: address.description, ttl: ttl, comment: ownership.marker))
            actions.append(done(.updated(type: type, from: keep.content, to: address.description)))
        }
        for duplicate in managed where duplicate.id != keep.id {
            try await cloudflare.deleteRecord(id: duplicate.id)
            actions.append(done(.deleted(type: type, content: duplicate.content, reason: "duplicate")))
        }
        return actions
    }

    /// Logs an action the moment it is done (one line each), so a stop right after still leaves
    /// the line behind.
    private func done(_ action: Action) -> Action {
        logger.info("\(ownership.fqdn): \(action)")
        return action
    }

    private func report(_ record: DNSRecord, _ verdict: RecordOwnership.Verdict) {
        guard verdict != .otherName, reported.insert(record.id).inserted else { return }
        let why = verdict == .otherType ? "type \(record.type) is not A/AAAA" : "neither owned nor a tailnet address"
        logger.info("\(ownership.fqdn): left alone \(record.type) \(record.content) (\(why))")
    }
}
