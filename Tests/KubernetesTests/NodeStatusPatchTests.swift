import Foundation
import Kubernetes
import TestSupport
import Testing

/// `PATCH /api/v1/nodes/{name}/status`: a strategic-merge patch of only `status.conditions`, so
/// kubelet's own conditions stay; errors that never carry the token.
@Suite("Kubernetes node status")
struct NodeStatusPatchTests {
    static let condition = NodeCondition(
        type: "CharonImageProblem",
        status: .false,
        reason: "ImagePresent",
        message: "localhost/tailscale-lifecycle:latest pinned",
        lastHeartbeatTime: "2026-12-02T09:00:00Z",
        lastTransitionTime: "2026-12-02T08:00:00Z"
    )

    @Test("a strategic-merge patch of status.conditions: kubelet's Ready stays, ours is added")
    func strategicMerge() async throws {
        try await KubernetesWorld.with { world in
            try await world.client.patchNodeConditions(node: "node1", [Self.condition])
            let request = try #require(world.api.server.requests.last)
            #expect(request.line == "PATCH /api/v1/nodes/node1/status")
            #expect(request.headers["content-type"] == "application/strategic-merge-patch+json")
            #expect(request.headers["authorization"] == "Bearer \(KubernetesWorld.token)")
            let body = try #require(JSONSerialization.jsonObject(with: Data(request.body)) as? [String: [String: [[String: String]]]])
            #expect(body["status"]?["conditions"]?.first?["type"] == "CharonImageProblem")
            #expect(body["status"]?.keys.sorted() == ["conditions"])
            #expect(world.api.conditions.map(\.type) == ["Ready", "CharonImageProblem"])
        }
    }

    @Test("a wrong token is an HTTP 401 error that does not carry the token")
    func wrongToken() async throws {
        try await KubernetesWorld.with(clientToken: "wrong-secret-value") { world in
            let error = await #expect(throws: KubernetesError.self) {
                try await world.client.patchNodeConditions(node: "node1", [])
            }
            #expect(error?.description.contains("HTTP 401") == true)
            #expect(error?.description.contains("wrong-secret-value") == false)
        }
    }

    @Test("a missing token file is named, with the path")
    func missingTokenFile() async throws {
        try await withFake(try await FakeKubernetesAPI.start(node: "node1", token: "t")) { api in
            let scratch = try TemporaryDirectory()
            let client = KubernetesClient(
                configuration: KubernetesConfiguration(apiServer: api.baseURL, tokenFile: "\(scratch.path)/absent", caFile: nil)
            )
            let error = await #expect(throws: KubernetesError.self) { try await client.patchNodeConditions(node: "node1", []) }
            guard case .token(let path, _) = error else {
                Issue.record("expected a token error, got \(String(describing: error))")
                return
            }
            #expect(path == "\(scratch.path)/absent")
            #expect(api.server.requests.isEmpty, "nothing is sent without a token")
        }
    }

    @Test("in-cluster configuration comes from KUBERNETES_SERVICE_HOST/_PORT and the service account files")
    func inCluster() {
        #expect(KubernetesConfiguration.inCluster(environment: [:]) == nil)
        let configuration = KubernetesConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"])
        #expect(configuration?.apiServer == "https://[fd00::1]:6443")
        #expect(configuration?.tokenFile == "/var/run/secrets/kubernetes.io/serviceaccount/token")
        #expect(configuration?.caFile == "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
    }
}
