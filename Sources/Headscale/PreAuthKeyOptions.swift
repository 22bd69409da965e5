/// What to ask for when creating a pre-auth key.
///
/// ```swift
/// let options = PreAuthKeyOptions(expiration: .seconds(3600), tags: ["tag:web"])
/// ```
public struct PreAuthKeyOptions: Sendable, Equatable {
    /// Lifetime from now; sent as an absolute RFC 3339 UTC time.
    public var expiration: Duration
    public var reusable: Bool
    public var ephemeral: Bool
    /// ACL tags (`tag:…`) the key's nodes get.
    public var tags: [String]

    public init(expiration: Duration, reusable: Bool = false, ephemeral: Bool = false, tags: [String] = []) {
        self.expiration = expiration
        self.reusable = reusable
        self.ephemeral = ephemeral
        self.tags = tags
    }
}
