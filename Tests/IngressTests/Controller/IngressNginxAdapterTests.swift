import Foundation
import Ingress
import Kubernetes
import TestSupport
import Testing

struct IngressNginxAdapterTests {
    func adapter(_ api: FakeConfigMapAPI) -> IngressNginxAdapter {
        IngressNginxAdapter(client: KubernetesClient(configuration: KubernetesConfiguration(apiServer: api.baseURL, tokenFile: nil, caFile: nil)))
    }

    @Test func patchesOnlyTheKeysThatDifferWithAMergePatch() async throws {
        let api = try await FakeConfigMapAPI.start(data: [
            "use-forwarded-headers": "true", "proxy-body-size": "64m", "whitelist-source-range": "0.0.0.0/0",
        ])
        try await withFake(api) { api in
            let outcome = try await adapter(api).reconcile()
            #expect(outcome == .patched(keys: ["use-forwarded-headers", "whitelist-source-range"]))

            let patch = try #require(api.patches.first)
            #expect(patch.path == "/api/v1/namespaces/ingress-nginx/configmaps/ingress-nginx-controller")
            #expect(patch.headers["content-type"] == "application/merge-patch+json")
            #expect(
                patch.text
                    == #"{"data":{"use-forwarded-headers":"false","whitelist-source-range":"100.64.0.0/10,fd7a:115c:a1e0::/48,127.0.0.0/8,::1/128"}}"#
            )
            // The operator's own keys are untouched.
            #expect(
                api.stored == [
                    "proxy-body-size": "64m", "use-forwarded-headers": "false",
                    "whitelist-source-range": "100.64.0.0/10,fd7a:115c:a1e0::/48,127.0.0.0/8,::1/128",
                ]
            )

            // Second pass: in sync, one GET and no PATCH.
            api.server.clearLog()
            #expect(try await adapter(api).reconcile() == .unchanged)
            #expect(api.server.requests.map(\.line) == ["GET /api/v1/namespaces/ingress-nginx/configmaps/ingress-nginx-controller"])
        }
    }

    @Test func sameRangesInAnotherOrderAreInSync() async throws {
        let api = try await FakeConfigMapAPI.start(data: [
            "use-forwarded-headers": "False", "whitelist-source-range": " ::1/128, 127.0.0.0/8,FD7A:115C:A1E0::/48 ,100.64.0.0/10",
        ])
        try await withFake(api) { api async throws in
            #expect(try await adapter(api).reconcile() == .unchanged)
            #expect(api.patches.isEmpty)
        }
    }

    @Test func missingKeysAndEmptyDataArePatched() async throws {
        let api = try await FakeConfigMapAPI.start(data: [:])
        try await withFake(api) { api async throws in
            #expect(try await adapter(api).reconcile() == .patched(keys: ["use-forwarded-headers", "whitelist-source-range"]))
            #expect(api.stored?["use-forwarded-headers"] == "false")
        }
    }

    @Test func aMissingConfigMapIsAClearError() async throws {
        let api = try await FakeConfigMapAPI.start(data: nil)
        try await withFake(api) { api in
            let error = await #expect(throws: KubernetesError.self) { try await adapter(api).reconcile() }
            #expect(
                error?.description
                    == #"GET /api/v1/namespaces/ingress-nginx/configmaps/ingress-nginx-controller: HTTP 404: configmaps "ingress-nginx-controller" not found"#
            )
            #expect(api.patches.isEmpty)
        }
    }

    @Test func changesAreComputedWithoutTheAPI() throws {
        let adapter = IngressNginxAdapter(
            client: KubernetesClient(configuration: KubernetesConfiguration(apiServer: "http://127.0.0.1:1", tokenFile: nil, caFile: nil))
        )
        #expect(adapter.changes(from: adapter.desired).isEmpty)
        // Extra ranges widen the allowlist: they are removed.
        var wider = adapter.desired
        wider["whitelist-source-range"]! += ",10.0.0.0/8"
        #expect(adapter.changes(from: wider).keys.sorted() == ["whitelist-source-range"])
    }
}
