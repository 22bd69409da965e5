/// The three PATCH flavours of the Kubernetes API, by their content type.
///
/// Lists of conditions must be patched with `.strategicMerge`: it merges list entries by their
/// key (`type`), where a JSON merge patch replaces the whole list and would wipe kubelet's
/// conditions (Ready, MemoryPressure, …).
///
/// ```swift
/// try await client.patch("/api/v1/nodes/node1/status", body: body, type: .strategicMerge)
/// ```
public enum PatchType: String, Sendable {
    case strategicMerge = "application/strategic-merge-patch+json"
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
}
