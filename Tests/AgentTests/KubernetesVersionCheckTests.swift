import Agent
import CharonSupport
import Kubernetes
import TestSupport
import Testing

/// The cluster-version flag against the fake API server's `/version`, on a manual clock.
struct KubernetesVersionCheckTests {
    @Test(arguments: [
        ("1", "31", "v1.31.2", true),
        ("1", "30", "v1.30.0", true),
        ("1", "29+", "v1.29.10-eks-1234", false),
        ("1", "28", "v1.28.15", false),
        ("2", "0", "v2.0.0", true),
    ])
    func policyNeedsOneThirty(major: String, minor: String, gitVersion: String, supported: Bool) {
        let result = KubernetesVersionCheck.judge(ServerVersion(major: major, minor: minor, gitVersion: gitVersion))
        #expect(result.ok == supported)
        #expect(result.reason == (supported ? "KubernetesSupported" : "KubernetesTooOld"))
        #expect(result.details["gitVersion"] == gitVersion)
        if !supported { #expect(result.message.contains("is older than 1.30: the admission policy")) }
    }

    @Test func asksOnceThenAgainAfterTheRecheckInterval() async throws {
        let api = try await FakeKubernetesAPI.start(node: "node1", token: "t0ken")
        try await withFake(api) { api in
            let scratch = try TemporaryDirectory()
            let tokenFile = try scratch.write("token", "t0ken\n")
            let clock = ManualClock()
            let check = KubernetesVersionCheck(
                client: KubernetesClient(configuration: KubernetesConfiguration(apiServer: api.baseURL, tokenFile: tokenFile, caFile: nil)),
                recheck: .seconds(3600),
                clock: clock
            )
            api.setVersion(major: "1", minor: "29+", gitVersion: "v1.29.4-gke.100")
            let old = await check.run()
            #expect(old.reason == "KubernetesTooOld", "\(old.message)")

            api.setVersion(major: "1", minor: "31", gitVersion: "v1.31.2")
            clock.advance(by: .seconds(3599))
            #expect(await check.run() == old, "remembered within the hour")
            #expect(api.server.requests.filter { $0.path == "/version" }.count == 1)

            clock.advance(by: .seconds(1))
            let upgraded = await check.run()
            #expect(upgraded.reason == "KubernetesSupported")
            #expect(upgraded.message == "Kubernetes v1.31.2: the admission policy is enforced")
            #expect(api.server.requests.filter { $0.path == "/version" }.count == 2)
        }
    }
}
