import CharonSupport
import Ingress
import Kubernetes
import Lifecycle
import Tailscale
import TestSupport
import Testing

/// A whole pass against fakes of everything outside the node: Headscale and Cloudflare (the
/// Lifecycle fakes), the Kubernetes API, and the `tailscale` CLI.
struct IngressReconcilerTests {
    struct World: StoppableFake {
        let apis: HeadscaleAndCloudflare
        var headscale: FakeHeadscale { apis.headscale }
        var cloudflare: FakeCloudflare { apis.cloudflare }
        let kubernetes: FakeConfigMapAPI
        let tailscale: FakeTailscale
        let reconciler: IngressReconciler
        let staleID: Int

        init(status: String) async throws {
            let apis = try await HeadscaleAndCloudflare.start(user: "ingress")
            self.apis = apis
            staleID = apis.headscale.addNode(name: "nginx-ingress-node1", user: "ingress", online: false)
            // Another service's node with a similar name: never touched.
            apis.headscale.addNode(name: "nginx-ingress-node10", user: "ingress")
            kubernetes = try await FakeConfigMapAPI.start(data: ["use-forwarded-headers": "true"])
            tailscale = try FakeTailscale(status: status)

            let hostname = try IngressHostname(nodeName: "node1")
            let configuration = try IngressLifecycleSettings.configuration(
                hostname: hostname,
                environment: apis.environment.merging(["DOMAIN_NAME": "example.com"]) { _, setting in setting }
            )
            let clients = LifecycleClients(configuration: configuration)
            let join = TailnetJoin(
                configuration: .init(
                    hostname: hostname,
                    loginServer: apis.headscale.url,
                    keyDirectory: tailscale.folder.path + "/keys",
                    upTimeoutSeconds: 10,
                    settleTimeout: .seconds(2),
                    pollInterval: .milliseconds(50)
                ),
                tailscale: tailscale.cli,
                enrollment: LifecycleEnrollment(configuration: configuration, clients: clients),
                now: { TailscaleFixtures.now },
                clock: ManualClock(skipping: true)
            )
            let controller = IngressNginxAdapter(
                client: KubernetesClient(configuration: .init(apiServer: kubernetes.baseURL, tokenFile: nil, caFile: nil))
            )
            // The fake API's own listening port stands in for the ingress ports in this process.
            reconciler = IngressReconciler(
                parts: .init(
                    hostname: hostname,
                    join: join,
                    status: tailscale.cli,
                    firewall: nil,
                    controller: controller,
                    dns: NodeDNSRecord(keeper: clients.recordKeeper, fqdn: configuration.fqdn),
                    ports: [UInt16(kubernetes.server.port)],
                    now: { TailscaleFixtures.now }
                )
            )
        }

        /// Runs `body` with a fresh world and always stops the fakes.
        static func with(status: String, _ body: (World) async throws -> Void) async throws {
            try await withFake(try await World(status: status), body)
        }

        func stop() async {
            await apis.stop()
            await kubernetes.stop()
        }
    }

    @Test func aPassJoinsPublishesDNSSetsTheControllerAndReports() async throws {
        try await World.with(status: TailscaleFixtures.needsLogin) { world in

            let report = await world.reconciler.report()
            #expect(report.tailscale.ok, "\(report.tailscale.message)")
            #expect(report.tailscale.message.hasPrefix("joined as nginx-ingress-node1 (100.64.0.7, fd7a:115c:a1e0::7)"))
            #expect(report.tailscale.details["backendState"] == "Running")
            // Stale registration of exactly this name removed; the look-alike kept; one key, used by file.
            #expect(!world.headscale.nodes.contains { $0.id == world.staleID })
            #expect(world.headscale.nodes.contains { $0.name == "nginx-ingress-node10" })
            #expect(world.headscale.issuedKeys.count == 1)
            #expect(world.tailscale.read("key-seen") == world.headscale.issuedKeys.first?.key)

            #expect(report.ingress.ok, "\(report.ingress.message)")
            let records = world.cloudflare.records(named: "nginx-ingress-node1.example.com")
            #expect(Set(records.map { "\($0.type) \($0.content)" }) == ["A 100.64.0.7", "AAAA fd7a:115c:a1e0::7"])
            #expect(records.allSatisfy { $0.comment?.contains("charon") == true })
            #expect(world.kubernetes.stored?["use-forwarded-headers"] == "false")
            #expect(report.ingress.message.contains("set use-forwarded-headers, whitelist-source-range"))

            // Steady state: no key, no Cloudflare write, no ConfigMap patch.
            let second = await world.reconciler.report()
            #expect(second.tailscale.ok && second.ingress.ok)
            #expect(world.headscale.issuedKeys.count == 1)
            #expect(second.ingress.message.contains("DNS nginx-ingress-node1.example.com up to date"))
            #expect(world.kubernetes.patches.count == 1)
            #expect(world.tailscale.upCalls.count == 1)
        }
    }

    @Test func aFailedJoinIsReportedAndDNSIsLeftAlone() async throws {
        try await World.with(status: TailscaleFixtures.expired) { world in
            let recordID = world.cloudflare.addRecord(
                name: "nginx-ingress-node1.example.com",
                type: "A",
                content: "100.64.0.9",
                comment: "managed by charon"
            )
            try world.tailscale.failUp()

            let report = await world.reconciler.report()
            #expect(!report.tailscale.ok)
            #expect(report.tailscale.reason == "TailscaleNotRunning")
            #expect(report.tailscale.message.contains("node key expired"))
            #expect(report.tailscale.message.contains("join failed"))
            #expect(!report.tailscale.message.contains(world.headscale.issuedKeys.first?.key ?? "no key issued"))
            #expect(!report.ingress.ok)
            #expect(report.ingress.reason == "TailnetJoinFailed")
            #expect(report.ingress.message.contains("DNS nginx-ingress-node1.example.com not updated: the node is not on the tailnet"))
            // The old record stays until the node has an address again.
            #expect(world.cloudflare.records.contains { $0.id == recordID })
        }
    }

    @Test func onePassFillsBothSlots() async throws {
        try await World.with(status: TailscaleFixtures.running()) { world in
            #expect(world.reconciler.checkNames == ["tailscale", "ingress"])
            let results = await world.reconciler.reconcile()
            #expect(Set(results.keys) == ["tailscale", "ingress"])
            #expect(results["tailscale"]?.ok == true && results["ingress"]?.ok == true, "\(results)")
            #expect(world.kubernetes.server.requests.filter { $0.method == "GET" }.count == 1, "one pass for both slots")
        }
    }

    @Test func aRefusedSettingFailsBothSlotsWithTheReason() async {
        let reconciler = IngressMisconfiguration(problem: "HEADSCALE_USER is required")
        let results = await reconciler.reconcile()
        for name in ["tailscale", "ingress"] {
            #expect(results[name]?.ok == false)
            #expect(results[name]?.reason == "IngressMisconfigured")
            #expect(results[name]?.message == "ingress settings refused, nothing done: HEADSCALE_USER is required")
        }
    }

    @Test func listeningPortsParsesProcNetTCP() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
               1: 0100007F:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
               2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
            """
        let ports = ListeningPorts.parseForTesting(table)
        #expect(ports == [80, 443])
    }
}
