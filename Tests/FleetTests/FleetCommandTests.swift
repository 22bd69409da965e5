import Glibc
import TestSupport
import Testing

/// The built `charon-node fleet` and `agent --fleet`: exit codes, the summary line, no secrets.
@Suite("charon-node fleet executable")
struct FleetCommandTests {
    static var executable: String { BuiltProducts.path("charon-node") }

    static func run(_ arguments: [String], _ environment: [String: String]) async throws -> (status: Int32, output: String, errors: String) {
        let scratch = try TemporaryDirectory(prefix: "fleet-cli")
        let child = try SpawnedProcess(executable, arguments, environment: environment, outputFolder: scratch.path)
        let status = try await child.wait(timeout: .seconds(60))
        return (status, child.standardOutput, child.standardError)
    }

    @Test("fleet --once: exit 0, one summary line on stdout, every change logged, no secret anywhere")
    func once() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "ollama", user: FleetWorld.user, ipAddresses: ["100.64.1.1"])
            world.headscale.addNode(name: "old", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(30))

            let result = try await Self.run(["fleet", "--once"], world.environment())

            #expect(result.status == 0, "\(result.errors)")
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(
                lines.first
                    == "fleet pass ok: 2 nodes in scope, 1 swept; records 1 created, 0 updated, 0 deleted; 0 foreign names reported; calls: Headscale 3, Cloudflare 2 (1 batch)"
            )
            #expect(result.errors.contains("create A ollama.example.com 100.64.1.1"))
            #expect(result.errors.contains("swept Headscale node old"))
            for secret in [FleetWorld.apiKey, FleetWorld.token] {
                #expect(!(result.output + result.errors).contains(secret), "a secret leaked")
            }
        }
    }

    @Test("a refused Headscale key: exit 1, the failure named, the key never printed")
    func failure() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            let result = try await Self.run(["fleet", "--once"], world.environment(["HEADSCALE_API_KEY": "hskey-wrong-SECRET-1"]))
            #expect(result.status == 1)
            #expect(result.output.hasPrefix("fleet pass FAILED"))
            #expect(result.errors.contains("error: Headscale node list: Headscale refused the API key"))
            #expect(!(result.output + result.errors).contains("hskey-wrong-SECRET-1"))
            #expect(world.cloudflare.requests.isEmpty)
        }
    }

    @Test(
        "bad configuration: exit 2 and a message naming the setting",
        arguments: [
            (["OFFLINE_NODE_TTL": "soon"], "OFFLINE_NODE_TTL=soon"),
            (["FLEET_BATCH_SIZE": "5000"], "FLEET_BATCH_SIZE=5000"),
            (["HEADSCALE_USER": ""], "HEADSCALE_USER is required"),
            (["CLOUDFLARE_ZONE_ID": ""], "CLOUDFLARE_ZONE_ID is required"),
        ]
    )
    func badConfiguration(overrides: [String: String], message: String) async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            let result = try await Self.run(["fleet", "--once"], world.environment(overrides))
            #expect(result.status == 2)
            #expect(result.errors.contains(message), "\(result.errors)")
            #expect(world.headscale.requests.isEmpty && world.cloudflare.requests.isEmpty)
        }
    }

    @Test("a bad option is exit 2 too, and --offline-node-ttl wins over the environment")
    func options() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "old", user: FleetWorld.user, online: false, lastSeen: FleetWorld.hoursAgo(30))
            let bad = try await Self.run(["fleet", "--once", "--batch-size", "x"], world.environment())
            #expect(bad.status == 2 && bad.errors.contains("FLEET_BATCH_SIZE=x"))
            let spared = try await Self.run(["fleet", "--once", "--offline-node-ttl", "48h"], world.environment(["OFFLINE_NODE_TTL": "1h"]))
            #expect(spared.status == 0 && spared.output.contains("0 swept"))
            #expect(world.headscale.nodes.count == 1)
        }
    }

    @Test("agent --fleet outside Kubernetes: exit 2, pointing at the systemd timer")
    func agentWithoutKubernetes() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            var environment = world.environment(["FLEET_ENABLED": "true"])
            environment["NODE_NAME"] = "node1"
            let result = try await Self.run(["agent", "--once", "--status-address", "off"], environment)
            #expect(result.status == 2)
            #expect(result.errors.contains("FLEET_ENABLED=true needs the Kubernetes API"), "\(result.errors)")
            environment["FLEET_ENABLED"] = "ture"
            let typo = try await Self.run(["agent", "--once", "--status-address", "off"], environment)
            #expect(typo.status == 2 && typo.errors.contains("FLEET_ENABLED=ture is not true or false"), "\(typo.errors)")
            environment["FLEET_ENABLED"] = "true"
            environment["KUBERNETES_SERVICE_HOST"] = "127.0.0.1"
            environment["FLEET_LEASE_DURATION"] = "5"
            let short = try await Self.run(["agent", "--once", "--status-address", "off"], environment)
            #expect(short.status == 2 && short.errors.contains("FLEET_LEASE_DURATION=5"), "\(short.errors)")
        }
    }

    @Test("without --once: a pass every FLEET_INTERVAL, one line each; SIGTERM stops it with exit 0")
    func loop() async throws {
        let world = try await FleetWorld.start()
        try await withFake(world) { world in
            world.headscale.addNode(name: "ollama", user: FleetWorld.user, ipAddresses: ["100.64.1.1"])
            let scratch = try TemporaryDirectory(prefix: "fleet-cli")
            let child = try SpawnedProcess(
                Self.executable,
                ["fleet", "--interval", "0.05"],
                environment: world.environment(),
                outputFolder: scratch.path
            )
            var passes = 0
            for _ in 0..<1_000 where passes < 3 {
                passes = world.cloudflare.listCalls
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(passes >= 3, "three passes started")
            child.signal(SIGTERM)
            let status = try await child.wait(timeout: .seconds(30))
            #expect(status == 0, "\(child.standardError)")
            let lines = child.standardOutput.split(separator: "\n")
            #expect(lines.count >= 2)
            #expect(lines.first?.hasPrefix("fleet pass ok: 1 nodes in scope, 0 swept; records 1 created") == true)
            #expect(lines.dropFirst().first?.contains("records 0 created, 0 updated, 0 deleted") == true)
            #expect(world.cloudflare.batchCalls == 1, "only the first pass had something to write")
        }
    }
}
