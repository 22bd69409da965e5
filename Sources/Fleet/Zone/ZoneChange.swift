import Cloudflare

/// One record change the fleet pass makes: a create, an in-place update (PATCH) or a delete.
///
/// ```swift
/// let change = ZoneChange(kind: .create, name: "ollama.example.com", type: "A", content: "100.64.0.7")
/// print(change)  // create A ollama.example.com 100.64.0.7
/// ```
public struct ZoneChange: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case create
        /// PATCH of `recordID`'s content (and TTL and comment), from `from`.
        case update(from: String)
        /// Delete of `recordID`, and why.
        case delete(reason: String)
    }

    public var kind: Kind
    public var name: String
    public var type: String
    /// The address written (create, update) or removed (delete).
    public var content: String
    /// The record changed; nil for a create.
    public var recordID: String?

    public init(kind: Kind, name: String, type: String, content: String, recordID: String? = nil) {
        self.kind = kind
        self.name = name
        self.type = type
        self.content = content
        self.recordID = recordID
    }

    public var description: String {
        switch kind {
        case .create: "create \(type) \(name) \(content)"
        case .update(let from): "update \(type) \(name) \(from) -> \(content)"
        case .delete(let reason): "delete \(type) \(name) \(content) (\(reason))"
        }
    }

    /// Batch order: Cloudflare runs deletes, then patches, then posts.
    var order: Int {
        switch kind {
        case .delete: 0
        case .update: 1
        case .create: 2
        }
    }
}
