import CharonSupport
import Kubernetes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ingress-nginx's adapter: its controller ConfigMap gets
/// - `whitelist-source-range` = the tailnet ranges + loopback (the ConfigMap key keeps the old
///   name; only the per-Ingress annotation was renamed `allowlist-source-range` in 1.9);
/// - `use-forwarded-headers` = `"false"`: with `true` nginx takes the client address from
///   `X-Forwarded-For`, which any client can set to a tailnet address to pass the allowlist.
///
/// Applied with a JSON merge patch of `data` (touching no other key), only when a value differs;
/// lists are compared as sets, so a reordered list written by someone else is not rewritten.
///
/// ```swift
/// let adapter = IngressNginxAdapter(client: KubernetesClient(configuration: configuration))
/// if case .patched(let keys) = try await adapter.reconcile() { print("set", keys) }
/// ```
public struct IngressNginxAdapter: IngressControllerAdapter {
    public static let allowlistKey = "whitelist-source-range"
    public static let forwardedHeadersKey = "use-forwarded-headers"

    public var namespace: String
    public var configMap: String
    public var allowlist: [String]
    let client: KubernetesClient

    public init(
        client: KubernetesClient,
        namespace: String = "ingress-nginx",
        configMap: String = "ingress-nginx-controller",
        allowlist: [String] = TailnetRanges.allowlist
    ) {
        self.client = client
        self.namespace = namespace
        self.configMap = configMap
        self.allowlist = allowlist
    }

    public var target: String { "ingress-nginx ConfigMap \(namespace)/\(configMap)" }

    var path: String { "/api/v1/namespaces/\(namespace)/configmaps/\(configMap)" }

    /// The keys this adapter owns and their values.
    public var desired: [String: String] {
        [Self.allowlistKey: allowlist.joined(separator: ","), Self.forwardedHeadersKey: "false"]
    }

    /// The part of ``desired`` that `current` does not already say; empty when in sync.
    public func changes(from current: [String: String]) -> [String: String] {
        var changes: [String: String] = [:]
        // A ConfigMap value is one comma-separated string: spaces and empty items mean nothing there.
        let ranges = (current[Self.allowlistKey] ?? "").split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if !TailnetRanges.sameRanges(ranges, as: allowlist) {
            changes[Self.allowlistKey] = desired[Self.allowlistKey]
        }
        if current[Self.forwardedHeadersKey]?.trimmingWhitespace().lowercased() != "false" {
            changes[Self.forwardedHeadersKey] = "false"
        }
        return changes
    }

    public func reconcile() async throws -> ControllerConfigOutcome {
        struct ConfigMap: Decodable { var data: [String: String]? }
        let body = try await client.get(path)
        let current: ConfigMap
        do {
            current = try JSONDecoder().decode(ConfigMap.self, from: Data(body))
        } catch {
            throw KubernetesError.decoding(request: "GET \(path)", reason: "\(error)")
        }
        let changes = changes(from: current.data ?? [:])
        guard !changes.isEmpty else { return .unchanged }
        try await client.patch(path, body: try Self.mergePatch(data: changes), type: .merge)
        return .patched(keys: changes.keys.sorted())
    }

    /// `{"data":{…}}` with sorted keys and unescaped slashes (CIDRs stay readable in audit logs).
    static func mergePatch(data: [String: String]) throws -> [UInt8] {
        struct Patch: Encodable { var data: [String: String] }
        return try KubernetesJSON.encode(Patch(data: data))
    }
}
