/// A DNS record as Cloudflare's v4 API returns it (the fields this tool reads).
///
/// ```swift
/// let owned = records.filter { $0.comment == marker }
/// ```
public struct DNSRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var type: String
    public var content: String
    public var ttl: Int?
    public var proxied: Bool?
    public var comment: String?

    public init(id: String, name: String, type: String, content: String, ttl: Int? = nil, proxied: Bool? = nil, comment: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.content = content
        self.ttl = ttl
        self.proxied = proxied
        self.comment = comment
    }
}
