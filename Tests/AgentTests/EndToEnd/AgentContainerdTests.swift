import Agent
import CharonSupport
import Glibc
import HostCommand
import OCI
import TestSupport
import Testing

/// `charon-node agent` end to end: the built binary, a real containerd, the status endpoint.
/// Each test has its own containerd namespace, output folder and port.
@Suite("charon-node agent against a private containerd", .serialized, .enabled(if: ContainerdUnderTest.available))
struct AgentContainerdTests {
    @Test func becomesReadyServesStatusAndStopsOnSIGTERM() async throws {
        guard let socket = try await ContainerdUnderTest.socket() else { return }
        let harness = try AgentHarness(socket: socket)
        let reference = "localhost/charon-agent-ready:latest"
        let spec = try TestImageSpec.write(into: harness.scratch, reference: reference)
        let output = "\(harness.scratch.path)/image.tar"
        let agent = try harness.start(spec: spec, output: output)
        defer { agent.stop() }

        let ready = await eventually(within: .seconds(90)) { await harness.statusCode("/readyz") == 200 }
        #expect(ready, "agent log: \(agent.standardError)")
        #expect(await harness.statusCode("/healthz") == 200)

        let status = try #require(await harness.status())
        #expect(status.node == "test-node")
        #expect(status.version == CharonVersion.current)
        #expect(status.overall == .healthy)
        #expect(status.order == ["containerd", "image", "disk", "tailscale", "ingress"])
        let image = try #require(status.checks["image"])
        #expect(image.ok && image.configured && image.lastChecked != nil && image.lastChange != nil)
        let built = try ImageArchiveReader.describe(output)
        #expect(image.details["digest"] == built.manifestDigest.description)
        let inContainerd = try #require(try await harness.containerdImage(reference))
        #expect(inContainerd.digest == built.manifestDigest.description)
        #expect(inContainerd.pinned)
        #expect(status.checks["tailscale"]?.configured == false)
        #expect(status.checks["disk"]?.ok == true)

        let metrics = try #require(await harness.body("/metrics"))
        #expect(metrics.contains("charon_agent_ready 1.0"))
        #expect(metrics.contains("charon_agent_check_ok{check=\"containerd\"} 1.0"))
        #expect(metrics.contains("# HELP charon_agent_reconcile_passes_total"))
        // After the first pass is reported, the pages touched only at start go back to the kernel.
        let released = await eventually(within: .seconds(30)) {
            await harness.body("/metrics").flatMap { Self.gaugeValue("charon_agent_startup_pages_released_bytes", in: $0) }.map { $0 > 0 } ?? false
        }
        #expect(released, "agent log: \(agent.standardError)")

        // The operator CLI: a table, and JSON with the same document; exit 0 means healthy.
        let table = try await BuiltProducts.run("charon-node", ["status", "--url", harness.url])
        #expect(table.exitCode == 0, "\(table.standardError)")
        #expect(table.standardOutput.contains("test-node  charon-node \(CharonVersion.current)  healthy  ready"))
        #expect(table.standardOutput.contains("image"))
        #expect(!table.standardOutput.contains("\u{1B}["), "no colour when stdout is not a terminal")
        let json = try await BuiltProducts.run("charon-node", ["status", "--url", harness.url, "--json"])
        #expect(json.exitCode == 0)
        #expect(try StatusDocument.decode(Array(json.standardOutput.utf8)).node == "test-node")

        agent.signal(SIGTERM)
        #expect(try await agent.wait(timeout: .seconds(90)) == 0, "agent log: \(agent.standardError)")
        let gone = try await BuiltProducts.run("charon-node", ["status", "--url", harness.url, "--timeout", "1"])
        #expect(gone.exitCode == 3)
    }

    /// A refused ingress setting fails the ingress slots with the reason, and only them: the agent
    /// keeps running and the image is imported, pinned and ready.
    @Test func aMisconfiguredIngressNeverStopsTheImage() async throws {
        guard let socket = try await ContainerdUnderTest.socket() else { return }
        let harness = try AgentHarness(socket: socket)
        let reference = "localhost/charon-agent-misconfigured:latest"
        let spec = try TestImageSpec.write(into: harness.scratch, reference: reference)
        // HEADSCALE_USER is missing: the join could not be made, so nothing of the ingress runs
        // (no firewall, no tailscale) and the host is not touched.
        let agent = try harness.start(
            spec: spec,
            output: "\(harness.scratch.path)/image.tar",
            extra: ["--ingress"],
            environment: ["HEADSCALE_API_KEY": "hskey-api-secret-value", "HEADSCALE_URL": "https://headscale.example.com"]
        )
        defer { agent.stop() }

        #expect(await eventually(within: .seconds(20)) { await harness.statusCode("/readyz") == 200 }, "agent log: \(agent.standardError)")
        let status = try #require(await harness.status())
        #expect(status.overall == .degraded)
        #expect(status.checks["image"]?.ok == true)
        #expect(try await harness.containerdImage(reference)?.pinned == true)
        for slot in ["tailscale", "ingress"] {
            let entry = try #require(status.checks[slot])
            #expect(entry.configured && !entry.ok, "\(slot)")
            #expect(entry.reason == "IngressMisconfigured")
            #expect(entry.message.contains("HEADSCALE_USER"), "\(entry.message)")
        }
        let body = await harness.body("/status") ?? ""
        #expect(!body.contains("hskey-api-secret-value"), "no secret in /status")
        #expect(!agent.standardError.contains("hskey-api-secret-value"), "no secret in the log")
        agent.signal(SIGTERM)
        #expect(try await agent.wait(timeout: .seconds(15)) == 0, "agent log: \(agent.standardError)")
    }

    @Test func reimportsARemovedImageWithinOneInterval() async throws {
        guard let socket = try await ContainerdUnderTest.socket() else { return }
        let harness = try AgentHarness(socket: socket)
        let reference = "localhost/charon-agent-gc:latest"
        let spec = try TestImageSpec.write(into: harness.scratch, reference: reference)
        let output = "\(harness.scratch.path)/image.tar"
        let interval = 3.0
        let agent = try harness.start(spec: spec, output: output, interval: interval)
        defer { agent.stop() }
        #expect(await eventually(within: .seconds(90)) { await harness.statusCode("/readyz") == 200 }, "\(agent.standardError)")
        let digest = try #require(try await harness.containerdImage(reference)).digest

        // What kubelet's image GC or an operator's `ctr images rm` does. ctr prints the reference
        // it removed (nothing, exit 0, when there was none). Asking containerd afterwards would
        // race the agent: a pass due meanwhile may already have imported it again.
        let removed = try await HostCommand(executable: "ctr").check([
            "--address", socket, "--namespace", harness.namespace, "images", "rm", reference,
        ])
        #expect(removed.split(whereSeparator: \.isNewline).contains { $0 == reference }, "ctr images rm printed: \(removed)")
        let removedAt = ContinuousClock.now

        // Back, with the same digest and the pin: the next pass (one jittered interval, +10%) finds
        // it missing and imports it. The bound only rules out "never"; it leaves a minute for the
        // import itself (`make test` runs every suite at once on 2 cores beside other builds).
        let back = try await eventually(within: .seconds(interval * 1.1 + 60)) {
            try await harness.containerdImage(reference).map { $0.digest == digest && $0.pinned } ?? false
        }
        #expect(back, "not re-imported within \(ContinuousClock.now - removedAt); agent log: \(agent.standardError)")
        let metrics = await harness.body("/metrics") ?? ""
        #expect(metrics.contains("charon_agent_image_imports_total 2"), "\(metrics)")
        agent.signal(SIGTERM)
        #expect(try await agent.wait(timeout: .seconds(90)) == 0)
    }

    @Test func containerdKilledThenRestartedGoesUnhealthyThenHealthy() async throws {
        guard try await ContainerdUnderTest.socket() != nil else { return }
        // This test kills containerd: it gets one of its own, on a short path (sun_path is 108 bytes).
        let folder = "/tmp/charon-ctd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let script = HostCommand(executable: "\(BuiltProducts.packageRoot)/scripts/private-containerd.sh")
        let started = try await script.check(["start", folder])
        let socket = String(started.split(whereSeparator: \.isNewline).last ?? "")
        defer {
            _ = try? runToCompletion("\(BuiltProducts.packageRoot)/scripts/private-containerd.sh", ["stop", folder])
            TemporaryDirectory.remove(folder)
        }

        let harness = try AgentHarness(socket: socket)
        let reference = "localhost/charon-agent-restart:latest"
        let spec = try TestImageSpec.write(into: harness.scratch, reference: reference)
        let output = "\(harness.scratch.path)/image.tar"
        let agent = try harness.start(spec: spec, output: output)
        defer { agent.stop() }
        #expect(await eventually(within: .seconds(90)) { await harness.statusCode("/readyz") == 200 }, "\(agent.standardError)")

        // SIGKILL, as a crash would: the socket file stays behind, nobody listens.
        let pid = try #require(Int32(String(decoding: try POSIXIO.readFile("\(folder)/containerd.pid"), as: UTF8.self).filter(\.isNumber)))
        kill(pid, SIGKILL)
        let unhealthy = await eventually(within: .seconds(90)) {
            await harness.status()?.overall == .unhealthy
        }
        #expect(unhealthy, "\(agent.standardError)")
        #expect(await harness.statusCode("/readyz") == 503)
        #expect(await harness.statusCode("/healthz") == 200, "the agent itself is fine")
        let down = try #require(await harness.status())
        #expect(down.checks["containerd"]?.ok == false)
        #expect(down.checks["containerd"]?.reason == "ContainerdUnreachable")
        #expect(down.checks["image"]?.ok == false)
        #expect(!(down.checks["containerd"]?.message.isEmpty ?? true))

        _ = try await script.check(["start", folder])
        let healthy = await eventually(within: .seconds(90)) {
            let ready = await harness.statusCode("/readyz") == 200
            let overall = await harness.status()?.overall
            return ready && overall == .healthy
        }
        #expect(healthy, "\(agent.standardError)")
        // Nothing half-done: the image is there, pinned, with the tarball's digest; no temp files.
        let built = try ImageArchiveReader.describe(output)
        let inContainerd = try #require(try await harness.containerdImage(reference))
        #expect(inContainerd.digest == built.manifestDigest.description && inContainerd.pinned)
        #expect(AgentHarness.temporaryFiles(beside: output).isEmpty)
        agent.signal(SIGTERM)
        #expect(try await agent.wait(timeout: .seconds(90)) == 0)
    }

    @Test func agentsAndACLIRebuildAtOnceAreSerialized() async throws {
        guard let socket = try await ContainerdUnderTest.socket() else { return }
        let harness = try AgentHarness(socket: socket)
        let reference = "localhost/charon-agent-race:latest"
        // Big enough that the builds overlap in time unless the lock serializes them.
        let spec = try TestImageSpec.write(into: harness.scratch, reference: reference, slow: true)
        let output = "\(harness.scratch.path)/image.tar"
        let once = harness.agentArguments(spec: spec, output: output, serving: false, extra: ["--once"])
        let namespace = harness.namespace
        async let first = BuiltProducts.run("charon-node", once)
        async let second = BuiltProducts.run("charon-node", once)
        async let cli = BuiltProducts.run(
            "charon-node",
            [
                "image", "rebuild", "--spec", spec, "--output", output, "--containerd-address", socket, "--namespace", namespace,
            ]
        )
        let results = try await [first, second, cli]
        for result in results {
            #expect(result.exitCode == 0, "stdout: \(result.standardOutput) stderr: \(result.standardError)")
        }
        let built = try ImageArchiveReader.describe(output)  // a corrupt tarball would not parse
        let digest = built.manifestDigest.description
        for result in results {
            #expect(result.standardOutput.contains(digest), "\(result.standardOutput)")
        }
        // One build wrote the file, the others found it done (unchanged) after waiting for the lock.
        let waited = results.map(\.standardError).joined()
        #expect(results[2].standardOutput.contains(" written ") || results[2].standardOutput.contains(" unchanged "))
        #expect(AgentHarness.temporaryFiles(beside: output).isEmpty, "\(waited)")
        let inContainerd = try #require(try await harness.containerdImage(reference))
        #expect(inContainerd.digest == digest && inContainerd.pinned)
    }

    @Test(arguments: [true, false])
    func sigtermMidBuildExitsZeroAndKeepsTheDestinationIntact(abandon: Bool) async throws {
        guard let socket = try await ContainerdUnderTest.socket() else { return }
        let harness = try AgentHarness(socket: socket)
        let reference = "localhost/charon-agent-sigterm:latest"
        let spec = try TestImageSpec.write(into: harness.scratch, reference: reference)
        let output = "\(harness.scratch.path)/image.tar"
        let v1 = try await BuiltProducts.run("charon-node", ["image", "build", "--spec", spec, "--output", output])
        #expect(v1.exitCode == 0, "\(v1.standardError)")
        let before = try ImageArchiveReader.describe(output)

        // The spec changes to a slow one: the agent's first pass rebuilds.
        try TestImageSpec.write(into: harness.scratch, reference: reference, text: "v2", slow: true)
        let grace = abandon ? "0" : "60"
        let agent = try harness.start(spec: spec, output: output, extra: ["--shutdown-grace", grace])
        defer { agent.stop() }
        let building = await eventually(within: .seconds(90), every: .milliseconds(20)) { !AgentHarness.temporaryFiles(beside: output).isEmpty }
        try #require(building, "the agent never started writing; log: \(agent.standardError)")
        agent.signal(SIGTERM)
        let code = try await agent.wait(timeout: .seconds(abandon ? 90 : 180))
        #expect(code == 0, "agent log: \(agent.standardError)")

        // Either the old image or the complete new one, never a torn file.
        let after = try ImageArchiveReader.describe(output)
        if abandon {
            #expect(after == before, "abandoned: the destination must still be v1")
            #expect(agent.standardError.contains("abandoned the reconcile pass"))
        } else {
            #expect(after != before, "with time to finish, the pass completes the build")
            #expect(AgentHarness.temporaryFiles(beside: output).isEmpty)
        }
        // The next run cleans whatever an abandoned build left and finishes the job.
        let next = try await BuiltProducts.run("charon-node", harness.agentArguments(spec: spec, output: output, serving: false, extra: ["--once"]))
        #expect(next.exitCode == 0, "\(next.standardError)")
        #expect(AgentHarness.temporaryFiles(beside: output).isEmpty)
        #expect(try ImageArchiveReader.describe(output) != before)
    }

    @Test func underSystemdItNotifiesReadyWatchdogStatusAndStopping() async throws {
        guard let socket = try await ContainerdUnderTest.socket() else { return }
        let harness = try AgentHarness(socket: socket)
        let spec = try TestImageSpec.write(into: harness.scratch, reference: "localhost/charon-agent-systemd:latest")
        let receiver = try NotifySocket(path: "\(harness.scratch.path)/notify", abstract: false)
        let agent = try harness.start(
            spec: spec,
            output: "\(harness.scratch.path)/image.tar",
            environment: ["NOTIFY_SOCKET": receiver.name, "WATCHDOG_USEC": "1000000"]
        )
        defer { agent.stop() }

        var messages: [String] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            guard let message = await receiver.receive() else { break }
            messages.append(message)
            let text = messages.joined(separator: "\n")
            if text.contains("READY=1") && text.contains("STATUS=healthy") && messages.filter({ $0 == "WATCHDOG=1" }).count >= 2 { break }
        }
        let text = messages.joined(separator: "\n")
        #expect(text.contains("READY=1\nSTATUS=healthy: localhost/charon-agent-systemd:latest sha256:"), "\(messages)")
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2, "\(messages)")

        agent.signal(SIGTERM)
        var stopping = false
        while let message = await receiver.receive() {
            if message == "STOPPING=1" {
                stopping = true
                break
            }
        }
        #expect(stopping)
        #expect(try await agent.wait(timeout: .seconds(90)) == 0, "\(agent.standardError)")
    }

    /// The value of an unlabelled gauge in a Prometheus exposition.
    static func gaugeValue(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }
}
