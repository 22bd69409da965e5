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

    /// Removes every condition of a Node whose type starts with `typePrefix` (`"Charon"`), and no
    /// other; returns the types removed, empty when there was none (nothing is then changed).
    ///
    /// The agent may not read Nodes (its role has `nodes/status: patch` only), so the conditions
    /// are read from the answer to an empty strategic-merge PATCH, which changes nothing. Then one
    /// strategic-merge PATCH with a `$patch: delete` directive per type removes exactly those
    /// entries, matched by `type`, wherever they are in the list: kubelet's stay, in their order.
    /// The answer to it is checked: a matching condition still present throws.
    ///
    /// ```swift
    /// let removed = try await client.removeNodeConditions(node: "node1", typePrefix: "Charon")
    /// ```
    public func removeNodeConditions(node: String, typePrefix: String) async throws -> [String] {
        precondition(!typePrefix.isEmpty, "an empty prefix would name kubelet's conditions too")
        let path = "/api/v1/nodes/\(Self.pathSegment(node))/status"
        let current = try Self.conditionTypes(inNode: try await patch(path, body: Array("{}".utf8), type: .strategicMerge), request: "PATCH \(path)")
        let matching = current.filter { $0.hasPrefix(typePrefix) }
        guard !matching.isEmpty else { return [] }
        let after = try Self.conditionTypes(
            inNode: try await patch(path, body: Self.conditionDeletionPatch(types: matching), type: .strategicMerge),
            request: "PATCH \(path)"
        )
        let left = after.filter { $0.hasPrefix(typePrefix) }
        guard left.isEmpty else {
            throw KubernetesError.decoding(
                request: "PATCH \(path)",
                reason: "\(left.joined(separator: ", ")) still present after the patch that deletes them"
            )
        }
        return matching
    }

    /// `{"status":{"conditions":[{"$patch":"delete","type":"…"},…]}}`: strategic merge's directive
    /// that deletes the list entry with that merge key.
    public static func conditionDeletionPatch(types: [String]) throws -> [UInt8] {
        struct Deletion: Encodable {
            var directive = "delete"
            var type: String
            enum CodingKeys: String, CodingKey {
                case directive = "$patch"
                case type
            }
        }
        struct Patch: Encodable {
            struct Status: Encodable { var conditions: [Deletion] }
            var status: Status
        }
        return try KubernetesJSON.encode(Patch(status: .init(conditions: types.map { Deletion(type: $0) })))
    }

    /// The `type` of each entry of a Node's `status.conditions`, in order.
    static func conditionTypes(inNode body: [UInt8], request: String) throws -> [String] {
        struct Node: Decodable {
            struct Status: Decodable {
                struct Condition: Decodable { var type: String }
                var conditions: [Condition]?
            }
            var status: Status?
        }
        do {
            return (try JSONDecoder().decode(Node.self, from: Data(body)).status?.conditions ?? []).map(\.type)
        } catch {
            throw KubernetesError.decoding(request: request, reason: "a Node without readable status.conditions: \(error)")
        }
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
