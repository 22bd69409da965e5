#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension KubernetesClient {
    /// Sets these conditions on a Node, leaving every other condition (kubelet's) alone: a
    /// strategic-merge PATCH of the `status` subresource, whose `conditions` list merges by `type`.
    ///
    /// ```swift
    /// try await client.patchNodeConditions(node: "node1", [condition])
    /// ```
    public func patchNodeConditions(node: String, _ conditions: [NodeCondition]) async throws {
        try await patch("/api/v1/nodes/\(Self.pathSegment(node))/status", body: Self.nodeConditionsPatch(conditions), type: .strategicMerge)
    }

    /// `{"status":{"conditions":[…]}}`.
    public static func nodeConditionsPatch(_ conditions: [NodeCondition]) throws -> [UInt8] {
        struct Patch: Encodable {
            struct Status: Encodable { var conditions: [NodeCondition] }
            var status: Status
        }
        return try KubernetesJSON.encode(Patch(status: .init(conditions: conditions)))
    }

    /// Node names are DNS subdomains, but never trust input into a URL path.
    static func pathSegment(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        return name.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : "%" + String($0, radix: 16, uppercase: true).leftPadded }.joined()
    }
}

extension String {
    fileprivate var leftPadded: String { count < 2 ? "0" + self : self }
}
