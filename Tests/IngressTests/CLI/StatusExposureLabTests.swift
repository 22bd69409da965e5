import CharonSupport
import Glibc
import TestSupport
import Testing

/// The agent's status server on a host network: kubelet's probes and Prometheus reach it from the
/// LAN, the details in `/status` only from the node itself.
@Suite(.serialized, .enabled(if: TestEnvironment.isCI || Prerequisites.available(["ip", "curl"]), "needs root, ip and curl"))
struct StatusExposureLabTests {
    @Test func statusDetailsOnlyOnLoopbackProbesAndMetricsEverywhere() async throws {
        try await withNetworkLab { lab in
            let scratch = try TemporaryDirectory(prefix: "agent-status")
            let port = 9102
            let agent = try SpawnedProcess(
                "/usr/bin/ip",
                [
                    "netns", "exec", lab.node, BuiltProducts.path("charon-node"), "agent", "--status-address", ":\(port)", "--node-name", "node1",
                    "--interval", "3600", "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle",
                    "--containerd-address", "\(scratch.path)/no-containerd.sock", "--output", "\(scratch.path)/image.tar",
                ],
                environment: ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"],
                outputFolder: scratch.path
            )
            defer { agent.terminate() }
            func fromClient(_ path: String) async throws -> Int? {
                try await lab.clientStatus("http://\(NetworkLab.nodePublicIPv4):\(port)\(path)", timeout: 3)
            }
            // Up once /healthz answers from the LAN (the first pass fails fast without containerd).
            var healthz: Int?
            for _ in 0..<300 {
                healthz = try? await fromClient("/healthz")
                if healthz == 200 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(healthz == 200, "agent log: \(agent.standardError)")
            #expect(try await fromClient("/metrics") == 200)
            #expect(try await fromClient("/readyz") == 503, "not ready without containerd, and says so")
            #expect(try await fromClient("/status") == 403, "no details to the LAN")

            let local = try await lab.inNode([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", "http://127.0.0.1:\(port)/status",
            ])
            #expect(local.standardOutput == "200")
            let body = try await lab.inNode(["curl", "-s", "--max-time", "3", "http://127.0.0.1:\(port)/status"])
            #expect(body.standardOutput.contains(#""node1""#), "\(body.standardOutput)")
        }
    }
}
