import Agent
import CharonSupport
import Foundation
import Kubernetes
import TestSupport
import Testing

@Suite("Node conditions against a fake Kubernetes API")
struct NodeConditionReporterTests {
    static func snapshot(containerdOK: Bool, at seconds: Int64) -> HealthSnapshot {
        let model = HealthModel(
            node: "node1",
            checks: [
                ("containerd", .unhealthy, true), ("image", .unhealthy, true), ("tailscale", .degraded, false),
            ]
        )
        model.record(
            "containerd",
            containerdOK ? .ok("containerd 1.7 up", reason: "ContainerdReachable") : .failed("socket missing", reason: "ContainerdUnreachable"),
            at: Timestamp(seconds: seconds)
        )
        model.record("image", .ok("localhost/x:latest sha256:ab pinned", reason: "ImagePresent"), at: Timestamp(seconds: seconds))
        return model.publish(at: Timestamp(seconds: seconds))
    }

    static func configuration(_ api: FakeKubernetesAPI, tokenFile: String) -> KubernetesConfiguration {
        KubernetesConfiguration(apiServer: api.baseURL, tokenFile: tokenFile, caFile: nil)
    }

    @Test func patchesWithStrategicMergeKeepingKubeletsConditions() async throws {
        let api = try await FakeKubernetesAPI.start(node: "node1", token: "first-token")
        try await withFake(api) { api in
            let scratch = try TemporaryDirectory()
            let tokenFile = try scratch.write("token", "first-token\n")
            let metrics = AgentMetrics()
            let reporter = NodeConditionReporter(
                client: KubernetesClient(configuration: Self.configuration(api, tokenFile: tokenFile)),
                node: "node1",
                heartbeat: .seconds(3600),
                metrics: metrics
            )

            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 100), changed: ["containerd", "image"])
            #expect(api.rejected.isEmpty, "\(api.rejected)")
            #expect(api.patchBodies.count == 1)
            let request = try #require(api.server.requests.last)
            #expect(request.method == "PATCH")
            #expect(request.path == "/api/v1/nodes/node1/status")
            #expect(request.headers["content-type"] == "application/strategic-merge-patch+json")

            // The body: only status.conditions, one per configured check, nothing else.
            let body = try #require(JSONSerialization.jsonObject(with: Data(api.patchBodies[0])) as? [String: Any])
            #expect(Array(body.keys) == ["status"])
            let status = try #require(body["status"] as? [String: Any])
            #expect(Array(status.keys) == ["conditions"])
            let conditions = try #require(status["conditions"] as? [[String: String]])
            #expect(conditions.map { $0["type"] } == ["CharonContainerdProblem", "CharonImageProblem"])
            #expect(
                conditions[0] == [
                    "type": "CharonContainerdProblem", "status": "False", "reason": "ContainerdReachable", "message": "containerd 1.7 up",
                    "lastTransitionTime": "1970-01-01T00:01:40Z", "lastHeartbeatTime": conditions[0]["lastHeartbeatTime"]!,
                ]
            )
            #expect(Timestamp(rfc3339: conditions[0]["lastHeartbeatTime"]!) != nil)

            // kubelet's Ready survived (a merge patch would have replaced the list).
            #expect(api.conditions.map(\.type) == ["Ready", "CharonContainerdProblem", "CharonImageProblem"])

            // Nothing changed: no request until the heartbeat.
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 160), changed: [])
            #expect(api.patchBodies.count == 1)

            // A change goes out at once, with the token as the file says now (rotated).
            try scratch.write("token", "second-token")
            api.setToken("second-token")
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: false, at: 220), changed: ["containerd"])
            #expect(api.patchBodies.count == 2, "\(api.rejected)")
            let containerd = try #require(api.conditions.first { $0.type == "CharonContainerdProblem" })
            #expect(containerd.status == "True")
            #expect(containerd.reason == "ContainerdUnreachable")
            #expect(containerd.lastTransitionTime == Timestamp(seconds: 220).rfc3339)
            #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains(#"charon_agent_node_condition_patches_total{result="success"} 2"#))
        }
    }

    @Test func heartbeatResendsUnchangedConditions() async throws {
        let api = try await FakeKubernetesAPI.start(node: "node1", token: "t")
        try await withFake(api) { api in
            let scratch = try TemporaryDirectory()
            let clock = ManualClock()
            let reporter = NodeConditionReporter(
                client: KubernetesClient(configuration: Self.configuration(api, tokenFile: try scratch.write("token", "t"))),
                node: "node1",
                heartbeat: .seconds(300),
                metrics: AgentMetrics(),
                clock: clock
            )
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 1), changed: [])
            #expect(api.patchBodies.count == 1)
            clock.advance(by: .seconds(299))
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 2), changed: [])
            #expect(api.patchBodies.count == 1, "unchanged and 1 s short of the heartbeat: nothing sent")
            clock.advance(by: .seconds(1))
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 3), changed: [])
            #expect(api.patchBodies.count == 2, "the heartbeat is due: the same conditions again")
            clock.advance(by: .seconds(10))
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 4), changed: [])
            #expect(api.patchBodies.count == 2, "the heartbeat counts from the last PATCH")
        }
    }

    @Test func aFailedPatchIsRetriedOnTheNextPass() async throws {
        let api = try await FakeKubernetesAPI.start(node: "node1", token: "t")
        try await withFake(api) { api in
            let scratch = try TemporaryDirectory()
            let metrics = AgentMetrics()
            let reporter = NodeConditionReporter(
                client: KubernetesClient(configuration: Self.configuration(api, tokenFile: try scratch.write("token", "t"))),
                node: "node1",
                heartbeat: .seconds(3600),
                metrics: metrics
            )
            // Every attempt at the first snapshot fails (its conditions changed at 00:00:01), its
            // retries included, however late they arrive; the second snapshot's patch is accepted.
            api.failPatches(containing: "1970-01-01T00:00:01Z")
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 1), changed: ["containerd"])
            #expect(api.patchBodies.isEmpty)
            await reporter.healthDidUpdate(Self.snapshot(containerdOK: true, at: 2), changed: [])
            #expect(api.patchBodies.count == 1, "unchanged, but the last attempt failed: send again")
            let text = String(decoding: metrics.exposition(), as: UTF8.self)
            #expect(text.contains(#"charon_agent_node_condition_patches_total{result="failure"} 1"#))
        }
    }

    @Test func conditionTypesAreNamedAfterTheirCheck() {
        #expect(NodeConditionReporter.conditionType(for: "ingress") == "CharonIngressProblem")
        #expect(NodeConditionReporter.conditionType(for: "containerd") == "CharonContainerdProblem")
    }
}
