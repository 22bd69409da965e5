import TestSupport
import Testing

/// `charon-node status` against an agent's `/status` document, served by a loopback fake: the
/// table a person reads, the fleet line, and the exit code that follows the overall state.
@Suite("charon-node status output")
struct StatusCLITests {
    static func document(fleet: String?) -> String {
        let fleetField = fleet.map { #","fleet":"# + $0 } ?? ""
        return #"""
            {"node":"node1","version":"0.1.0","overall":"degraded","ready":true,"passes":3,"lastPass":"2026-12-02T09:00:00Z",
             "checks":{"containerd":{"ok":true,"message":"containerd 1.6.20 up","reason":"ContainerdReachable","impact":"unhealthy",
                       "configured":true,"lastChecked":"2026-12-02T09:00:00Z","lastChange":"2026-12-02T08:00:00Z"},
                       "tailscale":{"ok":false,"message":"tailscaled is NeedsLogin","reason":"TailnetNotJoined","impact":"degraded",
                       "configured":true,"lastChecked":"2026-12-02T09:00:00Z","lastChange":"2026-12-02T08:30:00Z"}},
             "order":["containerd","tailscale"]\#(fleetField)}
            """#
    }

    /// `charon-node status` against `body`; a minute to answer (milliseconds normally) so a loaded
    /// machine cannot turn the test into a timeout.
    static func status(_ body: String) async throws -> (code: Int32, lines: [String]) {
        var result: (Int32, [String]) = (0, [])
        try await withFake(try await LoopbackServer.start { _ in .json(200, body) }) { server in
            let run = try await BuiltProducts.run(
                "charon-node",
                ["status", "--url", server.baseURL, "--timeout", "60"],
                environment: ["NO_COLOR": "1"]
            )
            result = (run.exitCode, run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
        return result
    }

    @Test("the table: header, then one row per check in the agent's order; degraded exits 1")
    func table() async throws {
        let (code, lines) = try await Self.status(Self.document(fleet: nil))
        #expect(code == 1, "degraded")
        #expect(lines.first?.hasPrefix("node1  charon-node 0.1.0  degraded  ready  last pass ") == true, "\(lines)")
        #expect(lines[1] == "", "no fleet line without a fleet object")
        #expect(lines[2].hasPrefix("CHECK       STATE  SINCE") && lines[2].hasSuffix("  MESSAGE"), "\(lines)")
        #expect(lines[3].hasPrefix("containerd  ok") && lines[3].hasSuffix("containerd 1.6.20 up"), "\(lines)")
        #expect(lines[4].hasPrefix("tailscale   FAIL") && lines[4].hasSuffix("tailscaled is NeedsLogin"), "\(lines)")
    }

    @Test("a leader's fleet line shows its last pass; a follower's says so; no secret is in either")
    func fleetLine() async throws {
        let leader =
            #"{"leader":true,"passes":2,"lastPass":"2026-12-02T09:00:00Z","lastSucceeded":true,"lastSuccess":"2026-12-02T09:00:00Z","lastSummary":"fleet pass ok: 4 nodes in scope, 0 swept"}"#
        let (_, lines) = try await Self.status(Self.document(fleet: leader))
        #expect(lines[1].hasPrefix("fleet  leader  last pass "), "\(lines)")
        #expect(lines[1].hasSuffix("  fleet pass ok: 4 nodes in scope, 0 swept"), "\(lines)")
        #expect(lines[2] == "")

        let (_, following) = try await Self.status(Self.document(fleet: #"{"leader":false,"passes":0}"#))
        #expect(following[1] == "fleet  follower")

        let (_, starting) = try await Self.status(Self.document(fleet: #"{"leader":true,"passes":0}"#))
        #expect(starting[1] == "fleet  leader  no pass yet")
    }
}
