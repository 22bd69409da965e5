import Agent
import CharonSupport
import Fleet
import Glibc
import HostCommand
import TestSupport
import Testing

@Suite("Prometheus metrics")
struct MetricsTests {
    static func populated() -> AgentMetrics {
        let metrics = AgentMetrics()
        metrics.passFinished(succeeded: true, duration: .milliseconds(40))
        metrics.passFinished(succeeded: false, duration: .seconds(2))
        metrics.imageBuilt(outcome: "written", duration: .milliseconds(300), size: 54_206_976, writtenBytes: 54_206_976)
        metrics.imageBuilt(outcome: "unchanged", duration: .milliseconds(3), size: 54_206_976, writtenBytes: 0)
        metrics.imageImported(duration: .milliseconds(800), bytes: 54_206_976)
        metrics.nodeConditionsPatched(succeeded: true)
        let model = HealthModel(node: "n", checks: [("containerd", .unhealthy, true), ("image", .unhealthy, true), ("ingress", .degraded, false)])
        model.record("containerd", .ok("up"), at: Timestamp(seconds: 1_795_610_360))
        model.record("image", .failed("missing"), at: Timestamp(seconds: 1_795_610_360))
        metrics.record(model.publish())
        metrics.fleetLeading(true)
        var summary = FleetSummary()
        summary.swept = 2
        summary.created = 3
        summary.headscaleCalls = 4
        summary.cloudflareCalls = 2
        summary.foreignNames = ["svc-0.example.com"]
        metrics.fleetPassFinished(summary, duration: .milliseconds(900), at: Timestamp(seconds: 1_796_202_000))
        summary.failures = ["Cloudflare batch: HTTP 500"]
        metrics.fleetPassFinished(summary, duration: .seconds(3), at: Timestamp(seconds: 1_796_202_300))
        return metrics
    }

    @Test func everyFamilyHasHelpAndTypeAndConventionalNames() {
        let text = String(decoding: Self.populated().exposition(), as: UTF8.self)
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        let helped = Set(text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
        #expect(families == helped)
        for family in families {
            #expect(family.hasPrefix("charon_agent_"))
        }
        #expect(text.contains(#"charon_agent_reconcile_passes_total{result="success"} 1"#))
        #expect(text.contains(#"charon_agent_reconcile_passes_total{result="failure"} 1"#))
        #expect(text.contains("charon_agent_image_imports_total 1"))
        #expect(text.contains("charon_agent_image_built_bytes_total 54206976"))
        #expect(text.contains(#"charon_agent_check_ok{check="image"} 0.0"#))
        #expect(!text.contains(#"check="ingress""#), "unconfigured slots are not exported")
        #expect(text.contains(#"charon_agent_health_state{state="unhealthy"} 1.0"#))
        #expect(text.contains(#"charon_agent_health_state{state="healthy"} 0.0"#))
        #expect(text.contains("charon_agent_ready 0.0"))
        #expect(text.contains(#"charon_agent_build_info{version="\#(CharonVersion.current)"} 1.0"#))
        #expect(text.contains(#"charon_agent_fleet_passes_total{result="failure"} 1"#))
        #expect(text.contains("charon_agent_fleet_nodes_swept_total 4"), "two passes of 2")
        #expect(text.contains("charon_agent_fleet_last_success_timestamp_seconds 1796202000.0"), "the failed pass does not move it")
    }

    /// promtool ships in Debian's `prometheus` package. CI must have it; elsewhere it is optional.
    @Test func passesPromtoolCheckMetrics() async throws {
        let candidates: [String] = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        let promtool = candidates.first { access($0, X_OK) == 0 }
        guard let promtool else {
            if TestEnvironment.isCI { Issue.record("promtool is not installed (Debian package prometheus)") }
            return
        }
        let scratch = try TemporaryDirectory()
        let file = try scratch.write("metrics.txt", String(decoding: Self.populated().exposition(), as: UTF8.self))
        let result = try await HostCommand(executable: "/bin/sh").run(["-c", "\(promtool) check metrics < \(file)"])
        #expect(result.exitCode == 0, "promtool: \(result.standardOutput) \(result.standardError)")
        #expect(result.standardOutput.isEmpty && result.standardError.isEmpty, "lint findings: \(result.standardOutput)\(result.standardError)")
    }
}
