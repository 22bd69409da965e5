/// The body of `POST /zones/{zone_id}/dns_records/batch`: deletes, patches, puts and posts that
/// Cloudflare applies in one database transaction, always in that order (all of them or none).
///
/// Patches send only the fields they change (PATCH semantics: the comment and everything else not
/// sent stay as they are). Puts are never used here: a PUT replaces the whole record and would drop
/// the ownership comment.
///
/// ```swift
/// var batch = DNSRecordBatch()
/// batch.deletes.append(.init(id: "372e67954025e0ba6aaa6d586b9e0b59"))
/// batch.posts.append(DNSRecordInput(type: "A", name: "ollama.example.com", content: "100.64.0.7", ttl: 60, comment: marker))
/// let result = try await cloudflare.applyBatch(batch)
/// ```
public struct DNSRecordBatch: Encodable, Sendable, Equatable {
    /// A record to delete: only its id counts.
    public struct Delete: Encodable, Sendable, Equatable {
        public var id: String
        public init(id: String) { self.id = id }
    }

    /// Fields to change on an existing record; nil fields are not sent and stay as they are.
    public struct Patch: Encodable, Sendable, Equatable {
        public var id: String
        public var type: String?
        public var content: String?
        public var ttl: Int?
        public var proxied: Bool?
        public var comment: String?

        public init(id: String, type: String? = nil, content: String? = nil, ttl: Int? = nil, proxied: Bool? = nil, comment: String? = nil) {
            self.id = id
            self.type = type
            self.content = content
            self.ttl = ttl
            self.proxied = proxied
            self.comment = comment
        }
    }

    public var deletes: [Delete]
    public var patches: [Patch]
    public var posts: [DNSRecordInput]

    public init(deletes: [Delete] = [], patches: [Patch] = [], posts: [DNSRecordInput] = []) {
        self.deletes = deletes
        self.patches = patches
        self.posts = posts
    }

    /// Operations in the batch: what Cloudflare's per-plan limit counts.
    public var count: Int { deletes.count + patches.count + posts.count }
    public var isEmpty: Bool { count == 0 }

    enum CodingKeys: String, CodingKey {
        case deletes, patches, puts, posts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deletes, forKey: .deletes)
        try container.encode(patches, forKey: .patches)
        try container.encode([DNSRecordInput](), forKey: .puts)
        try container.encode(posts, forKey: .posts)
    }
}
