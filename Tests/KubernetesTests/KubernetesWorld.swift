import Kubernetes
import TestSupport

/// A fake API server and a client pointed at it with a token file: one per test.
///
/// ```swift
/// try await KubernetesWorld.with { world in _ = try await world.client.lease(namespace: "ns", name: "l") }
/// ```
struct KubernetesWorld {
    static let token = "kube-token-SECRET-5d1e"

    let api: FakeKubernetesAPI
    let scratch: TemporaryDirectory
    let client: KubernetesClient

    /// Runs `body` against a started fake whose token is ``token``; `clientToken` is what the
    /// client's token file says.
    static func with(clientToken: String = token, _ body: (KubernetesWorld) async throws -> Void) async throws {
        try await withFake(try await FakeKubernetesAPI.start(node: "node1", token: token)) { api in
            let scratch = try TemporaryDirectory(prefix: "kubernetes")
            let configuration = KubernetesConfiguration(
                apiServer: api.baseURL,
                tokenFile: try scratch.write("token", clientToken + "\n"),
                caFile: nil
            )
            try await body(KubernetesWorld(api: api, scratch: scratch, client: KubernetesClient(configuration: configuration)))
        }
    }
}
