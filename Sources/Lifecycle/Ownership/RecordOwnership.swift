import CharonSupport
import Cloudflare

/// Decides which DNS records this tool may delete or rewrite (docs/design.md): the name equals the
/// service's FQDN (case-insensitively), the type is A or AAAA, and the record is owned (its comment
/// is our marker) or points into the tailnet ranges. Anything else is reported, never touched.
///
/// ```swift
/// let ownership = RecordOwnership(fqdn: "ollama.example.com", ownerID: "charon")
/// if case .managed = ownership.verdict(for: record) { try await cloudflare.deleteRecord(id: record.id) }
/// ```
public struct RecordOwnership: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// May be deleted or rewritten; `owned` tells whether it carries our marker.
        case managed(owned: Bool)
        /// Another name: not ours to judge.
        case otherName
        /// Not A/AAAA (TXT, CNAME, MX…).
        case otherType
        /// Right name and type, but neither marked as ours nor in the tailnet ranges.
        case notOwned

        public var isManaged: Bool {
            if case .managed = self { return true }
            return false
        }
    }

    public let fqdn: String
    public let marker: String

    public init(fqdn: String, ownerID: String) {
        self.fqdn = fqdn
        self.marker = Self.marker(ownerID: ownerID)
    }

    /// The comment written on every record we create: short, one line (Free zones cap comments at
    /// 100 characters and refuse line breaks).
    public static func marker(ownerID: String) -> String {
        "managed by charon-lifecycle; owner=\(ownerID)"
    }

    public static func isValidMarker(_ marker: String) -> Bool {
        marker.count < 100 && !marker.contains(where: \.isNewline)
    }

    public func verdict(for record: DNSRecord) -> Verdict {
        guard Self.sameName(record.name, fqdn) else { return .otherName }
        guard record.type == "A" || record.type == "AAAA" else { return .otherType }
        if isOwned(record) { return .managed(owned: true) }
        if let address = IPAddress(record.content), address.isTailnet { return .managed(owned: false) }
        return .notOwned
    }

    public func isOwned(_ record: DNSRecord) -> Bool {
        record.comment?.trimmingWhitespace() == marker
    }

    /// DNS names compare case-insensitively, and a trailing dot changes nothing.
    public static func sameName(_ left: String, _ right: String) -> Bool {
        func normal(_ name: String) -> String { (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased() }
        return normal(left) == normal(right)
    }
}
