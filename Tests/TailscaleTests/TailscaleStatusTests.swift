import Tailscale
import TestSupport
import Testing

/// `tailscale status --json` as tailscaled prints it in each state, and its timestamps.
struct TailscaleStatusTests {
    func decode(_ json: String) throws -> TailscaleStatus { try TailscaleStatus.decode(Array(json.utf8)) }

    @Test func realShapesDecode() throws {
        let running = try decode(TailscaleFixtures.running())
        #expect(running.backendState == .running)
        #expect(running.ipv4Address == "100.64.0.7")
        #expect(running.ipv6Address == "fd7a:115c:a1e0::7")
        #expect(running.node?.hostName == "nginx-ingress-node1")
        #expect(running.node?.keyExpirySeconds == 1_811_149_964)
        #expect(running.health == [])

        let loggedOut = try decode(TailscaleFixtures.needsLogin)
        #expect(loggedOut.backendState == .needsLogin)
        #expect(loggedOut.addresses.isEmpty)
        #expect(loggedOut.haveNodeKey == nil)
        #expect(loggedOut.healthSummary == "You are logged out.")

        let expired = try decode(TailscaleFixtures.expired)
        #expect(expired.backendState == .needsLogin)
        #expect(expired.addresses.count == 2, "the CLI still lists addresses the interface no longer has")
        #expect(expired.keyExpired(now: TailscaleFixtures.now))

        #expect(try decode(TailscaleFixtures.stopped).backendState == .stopped)
        #expect(try decode(TailscaleFixtures.needsMachineAuth).backendState == .needsMachineAuth)
        #expect(try decode(TailscaleFixtures.starting).backendState == .starting)
        #expect(try decode(#"{"BackendState": "SomethingNew"}"#).backendState == .other("SomethingNew"))
        #expect(throws: TailscaleError.self) { try decode("tailscaled is not running") }
    }

    @Test func timestamps() {
        #expect(TailscaleTimestamp.seconds(from: "1970-01-01T00:01:00Z") == 60)
        #expect(TailscaleTimestamp.seconds(from: "1970-01-01T01:00:00.999999999+01:00") == 0)
        #expect(TailscaleTimestamp.seconds(from: "1970-01-01T00:00:00-00:30") == 1800)
        #expect(TailscaleTimestamp.seconds(from: "yesterday") == nil)
        #expect(TailscaleTimestamp.seconds(from: "1970-01-01T00:00:00") == nil)
    }
}
