import Headscale

/// Which Headscale nodes belong to this service's world: nodes of `HEADSCALE_USER`, plus, when
/// `AUTHKEY_TAGS` is set, tag-owned nodes whose tags are exactly those tags. Within it, a node is
/// the service's only if its `name` (the reported hostname) equals the hostname exactly —
/// never `givenName`, never a suffix pattern.
///
/// ```swift
/// let scope = NodeScope(user: "services", tags: ["tag:web"])
/// let mine = try await scope.nodes(from: headscale).filter { scope.isService($0, hostname: "ollama") }
/// ```
public struct NodeScope: Sendable, Equatable {
    public var user: String
    public var tags: [String]

    public init(user: String, tags: [String] = []) {
        self.user = user
        self.tags = tags
    }

    /// The user name Headscale 0.28+ shows for tag-owned nodes.
    static let taggedDevicesUser = "tagged-devices"

    public func includes(_ node: HeadscaleNode) -> Bool {
        if let owner = node.user, owner.name == user { return true }
        guard !tags.isEmpty else { return false }
        let tagOwned = node.user == nil || node.user?.name == Self.taggedDevicesUser
        return tagOwned && Set(node.tags) == Set(tags)
    }

    public func isService(_ node: HeadscaleNode, hostname: String) -> Bool {
        node.name == hostname && includes(node)
    }

    /// Lists the nodes in scope: by user when there are no tags; otherwise every node (from 0.28 a
    /// tagged key's node belongs to no user), filtered here.
    public func nodes(from headscale: HeadscaleClient, where predicate: (HeadscaleNode) -> Bool = { _ in true }) async throws -> [HeadscaleNode] {
        try await headscale.nodes(user: tags.isEmpty ? user : nil) { includes($0) && predicate($0) }
    }

    /// The nodes in scope whose name is `hostname`.
    public func serviceNodes(from headscale: HeadscaleClient, hostname: String) async throws -> [HeadscaleNode] {
        try await nodes(from: headscale) { $0.name == hostname }
    }
}

extension LifecycleConfiguration {
    /// The scope these settings name: `HEADSCALE_USER` and `AUTHKEY_TAGS`.
    public var scope: NodeScope { NodeScope(user: headscaleUser, tags: authKeyTags) }
}
