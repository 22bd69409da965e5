import Ingress
import Tailscale
import TestSupport
import Testing

/// What the join does for each state tailscaled reports (and a key whose expiry has passed).
struct TailnetJoinDecisionTests {
    func decode(_ json: String) throws -> TailscaleStatus { try TailscaleStatus.decode(Array(json.utf8)) }

    @Test func decisionsPerState() throws {
        let now = TailscaleFixtures.now
        #expect(
            TailnetJoinDecision(status: try decode(TailscaleFixtures.running()), now: now)
                == .joined(addresses: ["100.64.0.7", "fd7a:115c:a1e0::7"])
        )
        #expect(
            TailnetJoinDecision(status: try decode(TailscaleFixtures.needsLogin), now: now)
                == .join(reason: "tailscaled is NeedsLogin", forceReauth: false)
        )
        guard case .join(_, true) = TailnetJoinDecision(status: try decode(TailscaleFixtures.expired), now: now) else {
            Issue.record("an expired key needs --force-reauth")
            return
        }
        #expect(TailnetJoinDecision(status: try decode(TailscaleFixtures.stopped), now: now) == .bringUp(reason: "tailscaled is Stopped"))
        guard case .join(_, true) = TailnetJoinDecision(status: try decode(TailscaleFixtures.needsMachineAuth), now: now) else {
            Issue.record("machine auth needs a re-join")
            return
        }
        #expect(TailnetJoinDecision(status: try decode(TailscaleFixtures.starting), now: now) == .wait(reason: "tailscaled is Starting"))
        // Running, but the key's expiry has passed by our clock.
        let lapsed = try decode(TailscaleFixtures.running(keyExpiry: "2026-11-25T11:59:59Z"))
        guard case .join(_, true) = TailnetJoinDecision(status: lapsed, now: now) else {
            Issue.record("a lapsed key must re-join")
            return
        }
        // Expiry disabled in Headscale: no KeyExpiry at all, still joined.
        #expect(
            TailnetJoinDecision(status: try decode(TailscaleFixtures.running(keyExpiry: nil)), now: now)
                == .joined(addresses: ["100.64.0.7", "fd7a:115c:a1e0::7"])
        )
    }
}
