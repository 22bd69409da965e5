/// The fields sent to create a record, or to PATCH one (nil fields are left as they are).
///
/// No `tags`: Free zones refuse them. The comment must stay under 100 characters on one line.
///
/// ```swift
/// let input = DNSRecordInput(type: "A", name: "ollama.example.com", content: "100.64.0.7", ttl: 60, comment: marker)
/// ```
public struct DNSRecordInput: Encodable, Sendable, Equatable {
    public var type: String?
    public var name: String?
    public var content: String?
    public var ttl: Int?
    public var proxied: Bool?
    public var comment: String?

    public init(type: String? = nil, name: String? = nil, content: String? = nil, ttl: Int? = nil, proxied: Bool? = nil, comment: String? = nil) {
        self.type = type
        self.name = name
        self.content = content
        self.ttl = ttl
        self.proxied = proxied
        self.comment = comment
    }
}
