import Lifecycle
import TestSupport
import Testing

/// dns-create when the fleet pass keeps the zone (`FLEET_MANAGED_DNS=true`).
@Suite("dns-create, fleet-managed")
struct FleetManagedDNSTests {
    @Test("with FLEET_MANAGED_DNS=true: writes at start and on an address change only, never a periodic re-read")
    func fleetManagedIsQuiet() async throws {
        let world = try await LifecycleWorld.start()
        defer { Task { await world.stop() } }
        let node = world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
        // A re-check interval as short as the monitor's: without the setting, Cloudflare would be read every few polls.
        let task = try DNSCreateTests.run(world, ["FLEET_MANAGED_DNS": "true", "MONITOR_INTERVAL": "0.02", "DNS_RECHECK_INTERVAL": "0.02"])
        #expect(await eventually { DNSCreateTests.managed(world, "A").count == 1 })
        #expect(await eventually { world.headscale.requests.count >= 3 })
        world.cloudflare.clearLog()
        world.headscale.clearLog()
        #expect(await eventually(timeout: .seconds(30)) { world.headscale.requests.count >= 25 }, "25 monitor polls")
        #expect(world.cloudflare.requests.isEmpty, "\(world.cloudflare.requests.map(\.line))")
        world.headscale.setAddresses(nodeID: node, ["100.64.7.7"])
        #expect(await eventually { DNSCreateTests.managed(world, "A").first?.content == "100.64.7.7" })
        #expect(world.cloudflare.requests.map(\.method).filter { $0 != "GET" } == ["PATCH"])
        task.cancel()
        _ = await task.result
    }
}
