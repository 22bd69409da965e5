import CharonSupport
import Glibc
import TestSupport
import Testing

/// The internal controller's gate as it runs in a cluster: the charon-node image (built by charon
/// itself from images/charon-node) runs `charon-node ingress firewall` under containerd, with
/// CAP_NET_ADMIN only, and installs the table with the image's own nft. The container gets a
/// network namespace of its own here, so the host's firewall is never touched.
@Suite("charon-node image in containerd", .serialized)
struct AgentImageGateContainerdTests {
    @Test func theFirewallGateRunsFromTheAgentImage() async throws {
        let namespace = "charon-test-gate-\(getpid())"
        let scratch = try TemporaryDirectory()
        let rebuild = try await AgentImage.rebuild(in: scratch, namespace: namespace)
        #expect(rebuild.exitCode == 0, "\(rebuild.standardError)")

        func run(_ name: String, _ arguments: [String], capabilities: [String] = ["CAP_NET_ADMIN"]) async throws -> (Int32, String) {
            // ctr copies a container's output through FIFOs, and a container that exits at once
            // sometimes leaves them empty: ask again then (the gate is idempotent).
            for attempt in 1...3 {
                let (code, text) = try await runOnce("\(name)-\(attempt)", arguments, capabilities: capabilities)
                if !text.isEmpty || attempt == 3 { return (code, text) }
            }
            return (-1, "")
        }
        func runOnce(_ name: String, _ arguments: [String], capabilities: [String]) async throws -> (Int32, String) {
            let output = try await PrivateContainerd.ctr(
                ["run", "--rm", "--read-only"] + capabilities.flatMap { ["--cap-add", $0] }
                    + ["--mount", "type=tmpfs,src=tmpfs,dst=/tmp,options=rw:nosuid:nodev:size=1m"]
                    + [AgentImage.reference, "\(name)-\(getpid())", "/usr/local/bin/charon-node"] + arguments,
                namespace: namespace
            )
            return (output.exitCode, output.standardOutput + output.standardError)
        }

        let (applied, appliedText) = try await run("gate", ["ingress", "firewall"])
        #expect(applied == 0, "\(appliedText)")
        #expect(appliedText.contains("table inet charon_ingress: applied (was missing)"), "\(appliedText)")
        #expect(appliedText.contains(#"iifname != { "lo", "tailscale0" } drop"#))

        // Without NET_ADMIN the gate fails, so the controller after it would never start.
        let (refused, refusedText) = try await run("gate-nocap", ["ingress", "firewall"], capabilities: [])
        #expect(refused != 0, "\(refusedText)")
        #expect(refusedText.contains("nft"), "the failure names the tool: \(refusedText)")
    }
}
