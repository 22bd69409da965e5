/// A pre-auth key Headscale issued (`v1PreAuthKey`). The key itself is a secret: never log it.
///
/// `user` is a user object from 0.26 on and a bare user name before; both are kept.
///
/// ```swift
/// let key = try await headscale.createPreAuthKey(for: user, options: .init(expiration: .hours(1)))
/// try AtomicFile.write(Array(key.key.utf8), to: path, mode: 0o600)
/// ```
public struct PreAuthKey: Decodable, Sendable, CustomStringConvertible {
    public var id: String?
    public var key: String
    public var userName: String?
    public var userID: String?
    public var reusable: Bool
    public var ephemeral: Bool
    public var expiration: String?
    public var aclTags: [String]

    enum CodingKeys: String, CodingKey { case id, key, user, reusable, ephemeral, expiration, aclTags }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(FlexibleID.self, forKey: .id)?.value
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        if let name = try? container.decodeIfPresent(String.self, forKey: .user) {
            userName = name
        } else if let user = try? container.decodeIfPresent(HeadscaleUser.self, forKey: .user) {
            userName = user.name.isEmpty ? nil : user.name
            userID = user.id.isEmpty ? nil : user.id
        }
        reusable = try container.decodeIfPresent(Bool.self, forKey: .reusable) ?? false
        ephemeral = try container.decodeIfPresent(Bool.self, forKey: .ephemeral) ?? false
        expiration = try container.decodeIfPresent(String.self, forKey: .expiration)
        aclTags = try container.decodeIfPresent([String].self, forKey: .aclTags) ?? []
    }

    /// Never prints the key.
    public var description: String {
        "pre-auth key \(id ?? "?") for \(userName ?? userID ?? "no user") (expires \(expiration ?? "?"))"
    }
}
