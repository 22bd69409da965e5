import Agent
import Fleet
import Kubernetes
import TestSupport
import Testing

/// Two agents with the fleet service against the same fakes: one pass per interval, not two.
@Suite("fleet service in the agent")
struct FleetLeaderServiceTests {
    @Test("two agents: only the leader runs the pass, once per FLEET_INTERVAL")
    func onePassPerInterval() async throws {
        let world = try await FleetWorld.start()
        let api = try await LeaderElectionTests.api()
        try await withFake(world) { world in
            try await withFake(api) { api in
                for index in 0..<5 { world.headscale.addNode(name: "svc-\(index)", user: FleetWorld.user) }
                let clock = ManualLeaseClock()
                let configuration = try world.configuration()
                var services: [Task<Void, any Error>] = []
                for identity in ["node-a_1", "node-b_2"] {
                    let service = FleetLeaderService(
                        elector: LeaderElectionTests.elector(api, identity, clock),
                        pass: FleetPass(configuration: configuration, http: FleetWorld.fastHTTP(), logger: FleetWorld.quietLogger),
                        interval: .seconds(300),
                        logger: FleetWorld.quietLogger
                    )
                    services.append(Task { try await service.run() })
                }
                // The leader: its interval wait and its renewal; the follower: its retry.
                #expect(await clock.waitForSleepers(3))
                #expect(world.cloudflare.listCalls == 1, "one pass, by the leader only")
                #expect(world.cloudflare.records.count == 10)

                // Just under the shortest interval (300 s -10%): no second pass yet.
                for _ in 0..<26 {
                    clock.advance(by: .seconds(10))
                    #expect(await clock.waitForSleepers(3))
                }
                #expect(world.cloudflare.listCalls == 1)
                // Past the longest (300 s +10%): exactly one more.
                for _ in 0..<8 {
                    clock.advance(by: .seconds(10))
                    #expect(await clock.waitForSleepers(3))
                }
                #expect(world.cloudflare.listCalls == 2)
                #expect(world.cloudflare.batchCalls == 1, "the second pass had nothing to write")
                for service in services { service.cancel() }
                for service in services { _ = await service.result }
            }
        }
    }
}

/// What the agents say about the fleet pass: `/status`'s `fleet` object and the fleet metrics, on
/// the leader and on the follower.
@Suite("fleet pass in /status and /metrics")
struct FleetReportingTests {
    @Test("the leader reports leading and its pass; the follower reports following; both stop leading when stopped")
    func leaderAndFollower() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            try await withFake(try await LeaderElectionTests.api()) { api in
                for index in 0..<4 { world.headscale.addNode(name: "svc-\(index)", user: FleetWorld.user) }
                world.cloudflare.addRecord(name: "svc-0.example.com", type: "A", content: "203.0.113.9", ttl: 60)  // not ours: reported, left
                let clock = ManualLeaseClock()
                let configuration = try world.configuration()
                var agents: [(identity: String, model: HealthModel, metrics: AgentMetrics)] = []
                var services: [Task<Void, any Error>] = []
                for identity in ["node-a_1", "node-b_2"] {
                    let model = HealthModel(node: identity, checks: [], fleet: true)
                    let metrics = AgentMetrics()
                    let service = FleetLeaderService(
                        elector: LeaderElectionTests.elector(api, identity, clock),
                        pass: FleetPass(configuration: configuration, http: FleetWorld.fastHTTP(), logger: FleetWorld.quietLogger),
                        interval: .seconds(300),
                        model: model,
                        metrics: metrics,
                        logger: FleetWorld.quietLogger
                    )
                    agents.append((identity, model, metrics))
                    services.append(Task { try await service.run() })
                }
                // The leader: its interval wait and its renewal; the follower: its retry.
                #expect(await clock.waitForSleepers(3))
                let holder = api.leases.holder(namespace: LeaderElectionTests.namespace, name: LeaderElectionTests.name)
                let leader = try #require(agents.first { $0.identity == holder })
                let follower = try #require(agents.first { $0.identity != holder })

                let report = try #require(leader.model.snapshot.fleet)
                let finished = Timestamp(seconds: clock.now().microseconds / 1_000_000)
                #expect(report.leader && report.passes == 1)
                #expect(report.lastSucceeded == true && report.lastPass == finished && report.lastSuccess == finished)
                #expect(
                    report.lastSummary?.hasPrefix("fleet pass ok: 4 nodes in scope, 0 swept; records 7 created, 0 updated, 0 deleted; 1 foreign name")
                        == true,
                    "\(report)"
                )
                let served = try StatusDocument.decode(Array(buffer: leader.model.statusBody))
                #expect(served.fleet == report, "/status shows it at once, not at the next reconcile pass")
                let text = String(decoding: leader.metrics.exposition(), as: UTF8.self)
                for line in [
                    // Two records per node (A and AAAA), but svc-0's A name is held by a record not ours.
                    "charon_agent_fleet_leader 1.0", #"charon_agent_fleet_passes_total{result="success"} 1"#,
                    #"charon_agent_fleet_records_changed_total{operation="created"} 7"#,
                    #"charon_agent_fleet_records_changed_total{operation="deleted"} 0"#,
                    #"charon_agent_fleet_api_requests_total{api="cloudflare"} 2"#, "charon_agent_fleet_foreign_names 1.0",
                    "charon_agent_fleet_last_success_timestamp_seconds \(finished.seconds).0",
                ] {
                    #expect(text.contains(line + "\n"), "missing \(line)")
                }

                #expect(follower.model.snapshot.fleet == FleetReport(), "campaigning, never led: no pass")
                let followerText = String(decoding: follower.metrics.exposition(), as: UTF8.self)
                #expect(followerText.contains("charon_agent_fleet_leader 0.0\n"))
                #expect(!followerText.contains("charon_agent_fleet_passes_total"))

                for service in services { service.cancel() }
                for service in services { _ = await service.result }
                #expect(leader.model.snapshot.fleet?.leader == false, "stopped: no longer leading")
                #expect(String(decoding: leader.metrics.exposition(), as: UTF8.self).contains("charon_agent_fleet_leader 0.0\n"))
            }
        }
    }
}
