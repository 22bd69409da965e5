import CharonSupport
import Glibc
import HostCommand
import Ingress
import TestSupport
import Testing

/// `charon-node ingress …` as an operator runs it: exit statuses, one-line errors, nothing
/// written on bad input, and the firewall steps for real inside a network namespace.
@Suite(.serialized)
struct IngressCLITests {
    func charonNode(_ arguments: [String], environment: [String: String] = [:]) async throws -> HostCommand.Output {
        try await BuiltProducts.run("charon-node", ["ingress"] + arguments, environment: environment)
    }

    @Test func badServiceListsStopWithExitTwoAndWriteNothing() async throws {
        let scratch = try TemporaryDirectory(prefix: "cli-nginx")
        let cert = try scratch.write("app.crt", "x")
        let output = "\(scratch.path)/charon-ingress.conf"
        let cases: [(String, String)] = [
            (
                "services:\n  - host: \"app.example.com; return 200 x\"\n    upstream: http://127.0.0.1:1\n    certificate: \(cert)\n    key: \(cert)\n",
                #"error: service 1: host "app.example.com; return 200 x" is not a DNS name"#
            ),
            (
                "services:\n  - host: \"app.example.com { }\"\n    upstream: http://127.0.0.1:1\n    certificate: \(cert)\n    key: \(cert)\n",
                "is not a DNS name"
            ),
            (
                "services:\n  - host: app.example.com\n    upstream: http://127.0.0.1:1\n    certificate: \(scratch.path)/missing.crt\n    key: \(cert)\n",
                "error: service 1: app.example.com: certificate \(scratch.path)/missing.crt: No such file or directory"
            ),
            (
                "services:\n  - host: app.example.com\n    upstream: \"http://127.0.0.1:1; deny all\"\n    certificate: \(cert)\n    key: \(cert)\n",
                "upstream"
            ),
        ]
        for (index, (yaml, message)) in cases.enumerated() {
            let list = try scratch.write("bad\(index).yaml", yaml)
            let result = try await charonNode(["nginx-config", "--services", list, "--output", output, "--no-reload"])
            #expect(result.exitCode == 2, "\(yaml)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result.standardError)")
            #expect(!POSIXIO.exists(output))
        }
    }

    @Test func printRendersWithoutTouchingAnything() async throws {
        let scratch = try TemporaryDirectory(prefix: "cli-print")
        let cert = try scratch.write("app.crt", "x")
        let list = try scratch.write(
            "services.json",
            #"{"services": [{"host": "app.example.com", "upstream": "http://127.0.0.1:3000", "certificate": "\#(cert)", "key": "\#(cert)"}]}"#
        )
        let result = try await charonNode(["nginx-config", "--services", list, "--output", "\(scratch.path)/out.conf", "--print"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix(NginxConfigRenderer.header))
        #expect(result.standardOutput.contains("allow 100.64.0.0/10;"))
        #expect(!POSIXIO.exists("\(scratch.path)/out.conf"))
    }

    /// The whole install path through the CLI against a private main config: nginx -t alone,
    /// swap, nginx -t with the host config; no reload (nothing is running).
    @Test(.enabled(if: TestEnvironment.isCI || Prerequisites.available(["nginx", "openssl"], needsRoot: false), "needs nginx and openssl"))
    func nginxConfigInstallsThenReportsUnchanged() async throws {
        let scratch = try TemporaryDirectory(prefix: "cli-install")
        let cert = try await TestCertificate(in: scratch.path, host: "app.example.com")
        let output = "\(scratch.path)/conf.d/charon-ingress.conf"
        try POSIXIO.makeDirectories("\(scratch.path)/conf.d")
        let nginx = try TestNginx(serversInclude: "\(scratch.path)/conf.d/*.conf")
        let list = try scratch.write(
            "services.yaml",
            "services:\n  - host: app.example.com\n    upstream: http://127.0.0.1:3000\n    certificate: \(cert.certificate)\n    key: \(cert.key)\n"
        )
        let arguments = [
            "nginx-config", "--services", list, "--output", output, "--nginx-prefix", nginx.prefix, "--nginx-config", nginx.configPath, "--no-reload",
        ]
        let first = try await charonNode(arguments)
        #expect(first.exitCode == 0, "\(first.standardError)")
        #expect(first.standardOutput == "\(output): installed (1 service)\n")
        #expect(String(decoding: try POSIXIO.readFile(output), as: UTF8.self).hasPrefix(NginxConfigRenderer.header))
        let second = try await charonNode(arguments)
        #expect(second.standardOutput == "\(output): unchanged (1 service)\n")
    }

    @Test func aNodeNameThatIsNotAKubernetesNodeNameIsExitTwo() async throws {
        let result = try await charonNode(["join", "--node", "node_1.example.com"], environment: ["HEADSCALE_API_KEY": "x", "HEADSCALE_USER": "u"])
        #expect(result.exitCode == 2)
        #expect(result.standardError.hasPrefix(#"error: node name "node_1.example.com" is not a Kubernetes node name"#), "\(result.standardError)")
    }

    @Test func controllerConfigForTraefikCreatesTheMiddlewareAndRefusesUnknownControllers() async throws {
        let api = try await FakeMiddlewareAPI.start()
        try await withFake(api) { api in
            let created = try await charonNode(["controller-config", "--controller", "traefik", "--api-server", api.baseURL])
            #expect(created.exitCode == 0, "\(created.standardError)")
            #expect(created.standardOutput == "Traefik Middleware traefik-internal/tailnet-only: created\n")
            let again = try await charonNode(["controller-config", "--api-server", api.baseURL], environment: ["INGRESS_CONTROLLER": "traefik"])
            #expect(again.standardOutput == "Traefik Middleware traefik-internal/tailnet-only: as desired\n")

            let unknown = try await charonNode(["controller-config", "--controller", "haproxy", "--api-server", api.baseURL])
            #expect(unknown.exitCode == 2)
            #expect(unknown.standardError == "error: INGRESS_CONTROLLER (--controller) is \"haproxy\": expected traefik or ingress-nginx\n")
        }
    }

    @Test func joinThroughTheCLIWithHeadscaleAndAFakeTailscale() async throws {
        let headscale = try await FakeHeadscale.start(version: .v0_26)
        try await withFake(headscale) { headscale in
            headscale.addUser("ingress")
            headscale.addNode(name: "nginx-ingress-worker-2", user: "ingress", online: false)
            let fake = try FakeTailscale(status: TailscaleFixtures.needsLogin, afterUp: TailscaleFixtures.running(hostName: "nginx-ingress-worker-2"))
            let environment = [
                "HEADSCALE_URL": headscale.url, "HEADSCALE_API_KEY": headscale.apiKey, "HEADSCALE_USER": "ingress",
                "NODE_NAME": "worker-2", "TAILSCALE_BIN": fake.executable, "INGRESS_KEY_DIRECTORY": fake.folder.path + "/keys",
            ]
            let first = try await charonNode(["join", "--up-timeout", "10"], environment: environment)
            #expect(first.exitCode == 0, "\(first.standardError)")
            #expect(first.standardOutput == "nginx-ingress-worker-2 joined 100.64.0.7 fd7a:115c:a1e0::7\n")
            #expect(headscale.nodes.allSatisfy { $0.name != "nginx-ingress-worker-2" }, "the stale node is gone")
            #expect(headscale.issuedKeys.count == 1)
            #expect(!first.standardError.contains(headscale.issuedKeys.first?.key ?? "?"), "the key is never logged")
            let second = try await charonNode(["join"], environment: environment)
            #expect(second.standardOutput == "nginx-ingress-worker-2 already joined 100.64.0.7 fd7a:115c:a1e0::7\n")
            #expect(headscale.issuedKeys.count == 1)
        }
    }

    @Test(.enabled(if: TestEnvironment.isCI || Prerequisites.available(["ip", "nft"]), "needs root, ip and nft"))
    func firewallCheckAndDownInANamespace() async throws {
        try await withNetworkLab { lab in
            let binary = BuiltProducts.path("charon-node")
            func run(_ arguments: [String]) async throws -> HostCommand.Output {
                try await lab.inNode([binary, "ingress"] + arguments)
            }
            #expect(try await run(["firewall", "--check"]).exitCode == 1)
            let applied = try await run(["firewall"])
            #expect(applied.exitCode == 0, "\(applied.standardError)")
            #expect(applied.standardOutput.hasPrefix("table inet charon_ingress: applied (was missing)"))
            let check = try await run(["firewall", "--check"])
            #expect(check.exitCode == 0)
            #expect(check.standardOutput == "table inet charon_ingress: in place\n")
            #expect(try await run(["firewall"]).standardOutput == "table inet charon_ingress: in place, unchanged\n")
            #expect(try await run(["down"]).exitCode == 0)
            #expect(try await run(["down"]).exitCode == 0, "down is idempotent")
            #expect(try await run(["firewall", "--check"]).standardOutput == "table inet charon_ingress: missing\n")
            let bad = try await run(["firewall", "--tailscale-interface", "ts0;flush ruleset"])
            #expect(bad.exitCode == 2)
            #expect(bad.standardError.hasPrefix("error: firewall policy: interface name"))
        }
    }

    /// `charon-node agent --once --ingress` in a namespace: the agent's health model gets real
    /// `tailscale` and `ingress` results (containerd is absent here, so the node is unhealthy).
    @Test(.enabled(if: TestEnvironment.isCI || Prerequisites.available(["ip", "nft", "nginx"]), "needs root, ip, nft and nginx"))
    func agentPassFillsTheTailscaleAndIngressSlots() async throws {
        try await withNetworkLab { lab in
            let nginx = try TestNginx(namespace: lab.node, servers: "server { listen 80; listen 443; return 200; }")
            try await nginx.start()
            defer { nginx.stop() }
            let fake = try FakeTailscale(status: TailscaleFixtures.running())
            let scratch = try TemporaryDirectory(prefix: "agent-ingress")
            let result = try await lab.inNode([
                "env", "HEADSCALE_API_KEY=unused", "HEADSCALE_USER=ingress", "HEADSCALE_URL=http://127.0.0.1:9", "NODE_NAME=node1",
                "TAILSCALE_BIN=\(fake.executable)", "INGRESS_ENABLED=true",
                BuiltProducts.path("charon-node"), "agent", "--once", "--status-address", "off",
                "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle",
                "--containerd-address", "\(scratch.path)/no-containerd.sock", "--output", "\(scratch.path)/image.tar",
            ])
            #expect(
                result.standardError.contains("tailscale ok: joined as nginx-ingress-node1 (100.64.0.7, fd7a:115c:a1e0::7)"),
                "\(result.standardError)"
            )
            #expect(result.standardError.contains("ingress ok: firewall repaired (was missing); listening on 80, 443"), "\(result.standardError)")
            #expect(fake.upCalls.isEmpty, "a joined node gets no tailscale up")
            let table = try await lab.inNode(["nft", "list", "table", "inet", "charon_ingress"])
            #expect(table.succeeded)
        }
    }
}
