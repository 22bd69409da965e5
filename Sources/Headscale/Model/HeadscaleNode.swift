/// A node as `GET /api/v1/node` lists it (`v1Node`), normalised across Headscale 0.23 to 0.29.
///
/// `name` is the hostname the node reported; `givenName` is Headscale's DNS name for it, which
/// Headscale renames on clashes. Tags come from `tags` (0.28+) or `forcedTags` + `validTags`
/// (up to 0.27); a tag-owned node (0.28+) has no user.
///
/// ```swift
/// let stale = nodes.filter { $0.name == "ollama" }
/// ```
public struct HeadscaleNode: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var givenName: String
    public var user: HeadscaleUser?
    public var ipAddresses: [String]
    public var tags: [String]
    public var online: Bool
    public var createdAt: String?
    /// When Headscale last heard from the node (RFC 3339, `lastSeen`); nil when never or not sent.
    public var lastSeen: String?

    public init(
        id: String,
        name: String,
        givenName: String? = nil,
        user: HeadscaleUser?,
        ipAddresses: [String] = [],
        tags: [String] = [],
        online: Bool = false,
        createdAt: String? = nil,
        lastSeen: String? = nil
    ) {
        self.id = id
        self.name = name
        self.givenName = givenName ?? name
        self.user = user
        self.ipAddresses = ipAddresses
        self.tags = tags
        self.online = online
        self.createdAt = createdAt
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case id, name, givenName, user, ipAddresses, tags, forcedTags, validTags, online, createdAt, lastSeen
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(FlexibleID.self, forKey: .id).value
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        givenName = try container.decodeIfPresent(String.self, forKey: .givenName) ?? ""
        let user = try container.decodeIfPresent(HeadscaleUser.self, forKey: .user)
        // 0.28+ may send an empty user object for tag-owned nodes: treat it as none.
        self.user = (user?.name.isEmpty == false || user?.id.isEmpty == false) ? user : nil
        ipAddresses = try container.decodeIfPresent([String].self, forKey: .ipAddresses) ?? []
        if let tags = try container.decodeIfPresent([String].self, forKey: .tags) {
            self.tags = tags
        } else {
            let forced = try container.decodeIfPresent([String].self, forKey: .forcedTags) ?? []
            let valid = try container.decodeIfPresent([String].self, forKey: .validTags) ?? []
            var seen = Set<String>()
            self.tags = (forced + valid).filter { seen.insert($0).inserted }
        }
        online = try container.decodeIfPresent(Bool.self, forKey: .online) ?? false
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
        lastSeen = try container.decodeIfPresent(String.self, forKey: .lastSeen)
    }

    /// The node's IPv4 tailnet address, if any.
    public var ipv4: String? { ipAddresses.first { $0.contains(".") && !$0.contains(":") } }
    /// The node's IPv6 tailnet address, if any.
    public var ipv6: String? { ipAddresses.first { $0.contains(":") } }
    /// Owned by tags rather than by a user (Headscale 0.28+ tagged keys).
    public var isTagOwned: Bool { user == nil && !tags.isEmpty }
}
