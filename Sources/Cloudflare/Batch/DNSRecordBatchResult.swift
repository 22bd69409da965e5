/// What a batch answers: the records as they are after each kind of operation.
///
/// ```swift
/// let result = try await cloudflare.applyBatch(batch)
/// print(result.posts.map(\.id))
/// ```
public struct DNSRecordBatchResult: Decodable, Sendable, Equatable {
    public var deletes: [DNSRecord]
    public var patches: [DNSRecord]
    public var puts: [DNSRecord]
    public var posts: [DNSRecord]

    enum CodingKeys: String, CodingKey {
        case deletes, patches, puts, posts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        deletes = try container.decodeIfPresent([DNSRecord].self, forKey: .deletes) ?? []
        patches = try container.decodeIfPresent([DNSRecord].self, forKey: .patches) ?? []
        puts = try container.decodeIfPresent([DNSRecord].self, forKey: .puts) ?? []
        posts = try container.decodeIfPresent([DNSRecord].self, forKey: .posts) ?? []
    }
}
