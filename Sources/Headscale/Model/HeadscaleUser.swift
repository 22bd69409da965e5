/// A Headscale user (`v1User`): the numeric id (a string on the wire) and the unique name.
///
/// ```swift
/// let user = try await headscale.user(named: "services")
/// print(user.id, user.name)  // "3" "services"
/// ```
public struct HeadscaleUser: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var displayName: String?

    public init(id: String, name: String, displayName: String? = nil) {
        self.id = id
        self.name = name
        self.displayName = displayName
    }

    enum CodingKeys: String, CodingKey { case id, name, displayName }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(FlexibleID.self, forKey: .id)?.value ?? ""
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
    }
}
