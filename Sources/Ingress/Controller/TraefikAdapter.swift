import Kubernetes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Traefik's adapter: one `traefik.io/v1alpha1` Middleware (`traefik-internal/tailnet-only` by
/// default) holding an `ipAllowList` of the tailnet ranges and loopback, which Traefik's static
/// configuration attaches to the internal entry points (`--entryPoints.web.http.middlewares=
/// traefik-internal-tailnet-only@kubernetescrd`), so it applies to every router of those entry
/// points: no Ingress, IngressRoute or HTTPRoute can opt out of it.
///
/// The client address is the TCP peer's: the middleware must carry no `ipStrategy` (its `depth`
/// or `excludedIPs` would make Traefik read `X-Forwarded-For`, which any client can forge). A
/// Middleware that is missing is created; one that drifted (other ranges, an `ipStrategy`) gets a
/// JSON merge patch of only what differs; ranges compare as a set. No other Middleware is read or
/// written. Until the Middleware exists, Traefik disables every router that names it, so the
/// internal entry points serve nothing rather than everything.
///
/// ```swift
/// let adapter = TraefikAdapter(client: KubernetesClient(configuration: configuration))
/// if case .created = try await adapter.reconcile() { print("created", adapter.target) }
/// ```
public struct TraefikAdapter: IngressControllerAdapter {
    public static let apiVersion = "traefik.io/v1alpha1"
    public static let defaultNamespace = "traefik-internal"
    public static let defaultMiddleware = "tailnet-only"

    public var namespace: String
    public var middleware: String
    public var allowlist: [String]
    let client: KubernetesClient

    public init(
        client: KubernetesClient,
        namespace: String = TraefikAdapter.defaultNamespace,
        middleware: String = TraefikAdapter.defaultMiddleware,
        allowlist: [String] = TailnetRanges.allowlist
    ) {
        self.client = client
        self.namespace = namespace
        self.middleware = middleware
        self.allowlist = allowlist
    }

    public var target: String { "Traefik Middleware \(namespace)/\(middleware)" }

    /// How Traefik's static configuration names this middleware across namespaces.
    public var entryPointReference: String { "\(namespace)-\(middleware)@kubernetescrd" }

    var collectionPath: String { "/apis/\(Self.apiVersion)/namespaces/\(namespace)/middlewares" }
    var path: String { "\(collectionPath)/\(middleware)" }

    /// What differs between a Middleware's `spec` and the policy: `ipAllowList.sourceRange` and
    /// `ipAllowList.ipStrategy`, in that order; empty when in sync.
    public func drift(of spec: JSONValue?) -> [String] {
        let allowList = spec?["ipAllowList"]
        var drift: [String] = []
        let ranges = (allowList?["sourceRange"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !TailnetRanges.sameRanges(ranges, as: allowlist) { drift.append("ipAllowList.sourceRange") }
        if let strategy = allowList?["ipStrategy"], strategy != .null { drift.append("ipAllowList.ipStrategy") }
        return drift
    }

    public func reconcile() async throws -> ControllerConfigOutcome {
        let body: [UInt8]
        do {
            body = try await client.get(path)
        } catch let error as KubernetesError where error.isNotFound {
            try await client.create(collectionPath, body: try desiredObject())
            return .created
        }
        let current: JSONValue
        do {
            current = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw KubernetesError.decoding(request: "GET \(path)", reason: "\(error)")
        }
        let drift = drift(of: current["spec"])
        guard !drift.isEmpty else { return .unchanged }
        try await client.patch(path, body: try mergePatch(for: drift), type: .merge)
        return .patched(keys: drift)
    }

    struct AllowList: Encodable {
        var sourceRange: [String]
    }

    /// The whole Middleware as created when missing (JSON).
    public func desiredObject() throws -> [UInt8] {
        struct Metadata: Encodable {
            var name: String
            var namespace: String
            var labels: [String: String]
        }
        struct Spec: Encodable { var ipAllowList: AllowList }
        struct Middleware: Encodable {
            var apiVersion: String
            var kind = "Middleware"
            var metadata: Metadata
            var spec: Spec
        }
        let object = Middleware(
            apiVersion: Self.apiVersion,
            metadata: Metadata(name: middleware, namespace: namespace, labels: ["app.kubernetes.io/managed-by": "charon-node"]),
            spec: Spec(ipAllowList: AllowList(sourceRange: allowlist))
        )
        return try KubernetesJSON.encode(object)
    }

    /// `{"spec":{"ipAllowList":{…}}}` with only the drifted fields; `ipStrategy: null` deletes it.
    func mergePatch(for drift: [String]) throws -> [UInt8] {
        struct Patch: Encodable {
            struct Spec: Encodable { var ipAllowList: Fields }
            struct Fields: Encodable {
                var sourceRange: [String]?
                var removeStrategy: Bool

                enum CodingKeys: String, CodingKey { case sourceRange, ipStrategy }

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encodeIfPresent(sourceRange, forKey: .sourceRange)
                    if removeStrategy { try container.encodeNil(forKey: .ipStrategy) }
                }
            }
            var spec: Spec
        }
        let fields = Patch.Fields(
            sourceRange: drift.contains("ipAllowList.sourceRange") ? allowlist : nil,
            removeStrategy: drift.contains("ipAllowList.ipStrategy")
        )
        return try KubernetesJSON.encode(Patch(spec: .init(ipAllowList: fields)))
    }
}
