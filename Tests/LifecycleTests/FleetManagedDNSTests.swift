import Lifecycle
import TestSupport
import Testing

/// dns-create when the fleet pass keeps the zone (`FLEET_MANAGED_DNS=true`), on a manual clock.
@Suite("dns-create, fleet-managed", .timeLimit(.minutes(2)))
struct FleetManagedDNSTests {
    /// 25 monitor ticks with a re-check due every tick: Cloudflare requests made in them.
    static func cloudflareCallsOverSteadyState(
        fleetManaged: Bool
    ) async throws -> (calls: [String], polls: Int, world: LifecycleWorld, run: RunningDNSCreate, node: Int) {
        let world = try await LifecycleWorld.start()
        let node = world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        // A re-check interval as short as the monitor's: without the setting, Cloudflare is read
        // again within a tick or two.
        let run = try DNSCreateTests.run(
            world,
            ["FLEET_MANAGED_DNS": fleetManaged ? "true" : "false", "MONITOR_INTERVAL": "30", "DNS_RECHECK_INTERVAL": "30"]
        )
        await run.sleeps(1)
        #expect(DNSCreateTests.managed(world, "A").count == 1, "written at start in either mode")
        world.cloudflare.clearLog()
        world.headscale.clearLog()
        for _ in 0..<25 { await run.tick(.seconds(30)) }
        return (world.cloudflare.requests.map(\.line), world.headscale.requests.count, world, run, node)
    }

    @Test("with FLEET_MANAGED_DNS=true: writes at start and on an address change only, never a periodic re-read")
    func fleetManagedIsQuiet() async throws {
        let (calls, polls, world, run, node) = try await Self.cloudflareCallsOverSteadyState(fleetManaged: true)
        try await withFake(world) { world in
            #expect(calls.isEmpty, "\(calls)")
            #expect(polls == 25, "Headscale is still watched, once per MONITOR_INTERVAL")

            world.headscale.setAddresses(nodeID: node, ["100.64.7.7"])
            await run.tick(.seconds(30))
            #expect(DNSCreateTests.managed(world, "A").first?.content == "100.64.7.7")
            #expect(world.cloudflare.requests.map(\.method).filter { $0 != "GET" } == ["PATCH"])
            _ = await run.stop()
        }
    }

    @Test("the control: without it, the same ticks re-read Cloudflare")
    func perPodModeReReads() async throws {
        let (calls, _, world, run, _) = try await Self.cloudflareCallsOverSteadyState(fleetManaged: false)
        try await withFake(world) { world in
            #expect(!calls.isEmpty)
            #expect(calls.allSatisfy { $0.hasPrefix("GET ") }, "re-reads only, nothing to write: \(calls)")
            _ = await run.stop()
        }
    }
}
