import Foundation
import Ingress
import Kubernetes
import TestSupport
import Testing

struct TraefikAdapterTests {
    static let ranges = #"["100.64.0.0/10","fd7a:115c:a1e0::/48","127.0.0.0/8","::1/128"]"#
    static let path = "/apis/traefik.io/v1alpha1/namespaces/traefik-internal/middlewares/tailnet-only"

    func adapter(_ api: FakeMiddlewareAPI) -> TraefikAdapter {
        TraefikAdapter(client: KubernetesClient(configuration: KubernetesConfiguration(apiServer: api.baseURL, tokenFile: nil, caFile: nil)))
    }

    func withAPI(specs: [String: [String: Any]] = [:], _ body: (FakeMiddlewareAPI) async throws -> Void) async throws {
        try await withFake(try await FakeMiddlewareAPI.start(specs: specs), body)
    }

    @Test func aMissingMiddlewareIsCreatedThenLeftAlone() async throws {
        try await withAPI { (api: FakeMiddlewareAPI) async throws in
            #expect(try await adapter(api).reconcile() == .created)
            let create = try #require(api.writes.first)
            #expect(create.line == "POST /apis/traefik.io/v1alpha1/namespaces/traefik-internal/middlewares")
            #expect(create.headers["content-type"] == "application/json")
            #expect(
                create.text
                    == #"{"apiVersion":"traefik.io/v1alpha1","kind":"Middleware","metadata":{"labels":{"app.kubernetes.io/managed-by":"charon-node"},"name":"tailnet-only","namespace":"traefik-internal"},"spec":{"ipAllowList":{"sourceRange":\#(Self.ranges)}}}"#
            )
            #expect(api.spec("tailnet-only") == #"{"ipAllowList":{"sourceRange":\#(Self.ranges)}}"#)

            api.server.clearLog()
            #expect(try await adapter(api).reconcile() == .unchanged)
            #expect(api.server.requests.map(\.line) == ["GET \(Self.path)"])
        }
    }

    /// A forwarded-header strategy would let any client claim a tailnet address: it goes, with a
    /// merge patch of only the drifted fields; the operator's other fields stay.
    @Test func driftIsRepairedWithAMergePatchOfWhatDiffers() async throws {
        let drifted: [String: Any] = [
            "ipAllowList": ["sourceRange": ["0.0.0.0/0"], "ipStrategy": ["depth": 1], "rejectStatusCode": 404]
        ]
        try await withAPI(specs: ["tailnet-only": drifted]) { (api: FakeMiddlewareAPI) async throws in
            #expect(try await adapter(api).reconcile() == .patched(keys: ["ipAllowList.sourceRange", "ipAllowList.ipStrategy"]))
            let patch = try #require(api.writes.first)
            #expect(patch.line == "PATCH \(Self.path)")
            #expect(patch.headers["content-type"] == "application/merge-patch+json")
            #expect(patch.text == #"{"spec":{"ipAllowList":{"ipStrategy":null,"sourceRange":\#(Self.ranges)}}}"#)
            #expect(api.spec("tailnet-only") == #"{"ipAllowList":{"rejectStatusCode":404,"sourceRange":\#(Self.ranges)}}"#)
            #expect(try await adapter(api).reconcile() == .unchanged)
        }
        // Only the strategy drifted: only it is patched.
        let strategyOnly: [String: Any] = [
            "ipAllowList": [
                "sourceRange": ["100.64.0.0/10", "fd7a:115c:a1e0::/48", "127.0.0.0/8", "::1/128"], "ipStrategy": ["excludedIPs": ["10.0.0.1"]],
            ]
        ]
        try await withAPI(specs: ["tailnet-only": strategyOnly]) { (api: FakeMiddlewareAPI) async throws in
            #expect(try await adapter(api).reconcile() == .patched(keys: ["ipAllowList.ipStrategy"]))
            #expect(api.writes.first?.text == #"{"spec":{"ipAllowList":{"ipStrategy":null}}}"#)
        }
    }

    @Test func theSameRangesInAnotherOrderAreInSync() async throws {
        let reordered: [String: Any] = ["ipAllowList": ["sourceRange": ["::1/128", "127.0.0.0/8", "FD7A:115C:A1E0::/48", "100.64.0.0/10"]]]
        try await withAPI(specs: ["tailnet-only": reordered]) { (api: FakeMiddlewareAPI) async throws in
            #expect(try await adapter(api).reconcile() == .unchanged)
            #expect(api.writes.isEmpty)
        }
    }

    @Test func otherMiddlewaresAreNeverTouched() async throws {
        let other: [String: Any] = ["ipAllowList": ["sourceRange": ["0.0.0.0/0"], "ipStrategy": ["depth": 2]]]
        try await withAPI(specs: ["public-allow-all": other]) { (api: FakeMiddlewareAPI) async throws in
            let before = api.spec("public-allow-all")
            #expect(try await adapter(api).reconcile() == .created)
            #expect(api.spec("public-allow-all") == before)
            #expect(api.server.requests.allSatisfy { !$0.path.hasSuffix("/public-allow-all") })
        }
    }

    @Test func aRefusalNamesTheRequest() async throws {
        let server = try await LoopbackServer.start { _ in
            .json(403, #"{"kind":"Status","message":"middlewares.traefik.io is forbidden: User cannot get resource","code":403}"#)
        }
        try await withFake(server) { server in
            let adapter = TraefikAdapter(client: KubernetesClient(configuration: .init(apiServer: server.baseURL, tokenFile: nil, caFile: nil)))
            let error = await #expect(throws: KubernetesError.self) { try await adapter.reconcile() }
            #expect(error?.description == "GET \(Self.path): HTTP 403: middlewares.traefik.io is forbidden: User cannot get resource")
            #expect(adapter.entryPointReference == "traefik-internal-tailnet-only@kubernetescrd")
        }
    }
}
