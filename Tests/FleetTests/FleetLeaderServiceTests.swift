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
