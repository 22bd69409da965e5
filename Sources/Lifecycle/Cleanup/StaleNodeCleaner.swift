import Headscale
import Logging

/// Deletes the service's stale Headscale nodes: those in scope whose `name` equals the hostname
/// exactly, then lists again to verify they are gone. Shared by the pods' init container and the
/// node agent's ingress join (`nginx-ingress-<node>`).
///
/// ```swift
/// let cleaner = StaleNodeCleaner(headscale: headscale, scope: NodeScope(user: "services"))
/// let deleted = try await cleaner.removeStaleNodes(hostname: "ollama")
/// ```
public struct StaleNodeCleaner: Sendable {
    public let headscale: HeadscaleClient
    public let scope: NodeScope
    let logger: Logger

    public init(headscale: HeadscaleClient, scope: NodeScope, logger: Logger = Logger(label: "charon.lifecycle")) {
        self.headscale = headscale
        self.scope = scope
        self.logger = logger
    }

    /// The nodes that would be deleted.
    public func staleNodes(hostname: String) async throws -> [HeadscaleNode] {
        try await scope.serviceNodes(from: headscale, hostname: hostname)
    }

    /// Deletes every stale node and verifies none is left; returns those deleted.
    @discardableResult
    public func removeStaleNodes(hostname: String) async throws -> [HeadscaleNode] {
        try await remove(try await staleNodes(hostname: hostname), hostname: hostname)
    }

    /// Deletes `stale` (found by ``staleNodes(hostname:)``, perhaps filtered) and verifies none is
    /// left; returns them.
    @discardableResult
    public func remove(_ stale: [HeadscaleNode], hostname: String) async throws -> [HeadscaleNode] {
        guard !stale.isEmpty else {
            logger.info("no stale Headscale node named \(hostname)")
            return []
        }
        for node in stale {
            try await headscale.deleteNode(id: node.id)
            logger.info(
                "deleted stale Headscale node \(node.name) (id \(node.id), given name \(node.givenName), \(node.ipAddresses.joined(separator: " ")))"
            )
        }
        let deletedIDs = Set(stale.map(\.id))
        let left = try await headscale.nodes(user: scope.tags.isEmpty ? scope.user : nil) { deletedIDs.contains($0.id) }
        if let survivor = left.first {
            throw LifecycleError("Headscale node \(survivor.name) (id \(survivor.id)) is still present after deletion")
        }
        return stale
    }
}
