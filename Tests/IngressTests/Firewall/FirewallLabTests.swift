import Ingress
import TestSupport
import Testing

/// The firewall for real: a private network stack, a real nginx on 0.0.0.0 / [::] ports 80 and 443,
/// and connections from a client through the tailnet-like and the public interface.
@Suite(
    .serialized,
    .enabled(
        if: TestEnvironment.isCI || Prerequisites.available(["ip", "nft", "nginx", "curl", "openssl"]),
        "needs root, ip, nft, nginx, curl and openssl"
    )
)
struct FirewallLabTests {
    @Test func prerequisitesPresent() {
        #expect(Prerequisites.missing(["ip", "nft", "nginx", "curl", "openssl"]) == nil)
    }

    @Test func publicSideIsDroppedTailnetSideAnsweredAndDownRestores() async throws {
        try await withNetworkLab { lab in
            let scratch = try TemporaryDirectory(prefix: "fw-cert")
            let cert = try await TestCertificate(in: scratch.path)
            let nginx = try TestNginx(
                namespace: lab.node,
                servers: """
                    server {
                        listen 80; listen [::]:80;
                        listen 443 ssl; listen [::]:443 ssl;
                        ssl_certificate \(cert.certificate);
                        ssl_certificate_key \(cert.key);
                        location / { return 200 "ingress\\n"; }
                    }
                    """
            )
            try await nginx.start()
            defer { nginx.stop() }

            let publicURLs = [
                "http://\(NetworkLab.nodePublicIPv4)/", "https://\(NetworkLab.nodePublicIPv4)/",
                "http://[\(NetworkLab.nodePublicIPv6)]/", "https://[\(NetworkLab.nodePublicIPv6)]/",
            ]
            let tailnetURLs = [
                "http://\(NetworkLab.nodeTailnetIPv4)/", "https://\(NetworkLab.nodeTailnetIPv4)/",
                "http://[\(NetworkLab.nodeTailnetIPv6)]/", "https://[\(NetworkLab.nodeTailnetIPv6)]/",
            ]

            // Before: nginx on 0.0.0.0 answers on every interface (the problem being solved).
            for url in publicURLs + tailnetURLs {
                #expect(try await lab.clientStatus(url) == 200, "before the rules: \(url)")
            }

            let firewall = Firewall(policy: try FirewallPolicy(), nft: CommandLauncher(lab.nodeLauncherWords + ["nft"]))
            #expect(try await firewall.inspect() == .missing)
            try await firewall.apply()
            #expect(try await firewall.inspect() == .inPlace)

            for url in publicURLs {
                #expect(try await lab.clientStatus(url, timeout: 1) == nil, "public side must be dropped: \(url)")
            }
            for url in tailnetURLs {
                #expect(try await lab.clientStatus(url) == 200, "tailnet side must answer: \(url)")
            }
            // Loopback inside the node still reaches nginx.
            let local = try await lab.inNode(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", "http://127.0.0.1/"])
            #expect(local.standardOutput == "200")
            // Other ports on the public side are untouched (SSH, kubelet…): nothing listens on 8080,
            // so an unfiltered port answers with a reset (curl exit 7), not a timeout.
            let other = try await lab.inClient(["curl", "-s", "--connect-timeout", "2", "http://\(NetworkLab.nodePublicIPv4):8080/"])
            #expect(other.exitCode == 7)

            // Applying again is an atomic replace, not an append.
            try await firewall.apply()
            let rules = try await lab.inNode(["nft", "list", "table", "inet", "charon_ingress"])
            #expect(rules.standardOutput.components(separatedBy: " drop").count == 4, "three rules, once each")

            // ingress down: the table goes, the public side answers again; a second down is fine.
            try await firewall.remove()
            try await firewall.remove()
            #expect(try await firewall.inspect() == .missing)
            for url in publicURLs {
                #expect(try await lab.clientStatus(url) == 200, "after down: \(url)")
            }
        }
    }

    @Test func driftIsDetectedAndRepaired() async throws {
        try await withNetworkLab { lab in
            let nft = CommandLauncher(lab.nodeLauncherWords + ["nft"])
            let firewall = Firewall(policy: try FirewallPolicy(), nft: nft)
            #expect(try await firewall.reconcile() == .missing)
            #expect(try await firewall.reconcile() == .inPlace)

            // Someone flushes the chain: still a table, but no rule.
            try await nft.check(["flush", "chain", "inet", "charon_ingress", "input"])
            guard case .drifted = try await firewall.reconcile() else {
                Issue.record("a flushed chain must be drift")
                return
            }
            #expect(try await firewall.inspect() == .inPlace)

            // Someone adds an accept rule ahead of ours.
            try await nft.check(["insert", "rule", "inet", "charon_ingress", "input", "tcp", "dport", "80", "accept"])
            #expect(try await firewall.inspect() == .drifted("expected 3 rules, found 4"))

            // Someone edits the interface list.
            try await firewall.apply()
            let edited = try FirewallPolicy(tailscaleInterface: "pub0")
            try await Firewall(policy: edited, nft: nft).apply()
            guard case .drifted(let reason) = try await firewall.inspect() else {
                Issue.record("another interface list must be drift")
                return
            }
            #expect(reason.contains("pub0"))
            try await firewall.reconcile()
            #expect(try await firewall.inspect() == .inPlace)

            // Another table of the host's is never touched by remove.
            try await nft.check(["add", "table", "inet", "host_filter"])
            try await firewall.remove()
            let tables = try await nft.check(["list", "tables"])
            #expect(tables.contains("host_filter"))
            #expect(!tables.contains("charon_ingress"))
        }
    }

    /// The node closed to the tailnet: a tailnet peer reaches the ingress ports and nothing else
    /// (ssh, the agent's status port, kubelet), over IPv4 and IPv6; `INGRESS_TAILNET_PORTS` opens
    /// exactly the ports it names; the LAN keeps every port it had except the ingress's.
    @Test func theTailnetReachesOnlyTheIngressPorts() async throws {
        try await withNetworkLab { lab in
            let others: [UInt16] = [22, 9102, 10250]
            let listens = ([80] + others).map { "listen \($0); listen [::]:\($0);" }.joined(separator: " ")
            let nginx = try TestNginx(namespace: lab.node, servers: "server { \(listens) location / { return 200 \"up\\n\"; } }")
            try await nginx.start()
            defer { nginx.stop() }
            func url(_ host: String, _ port: UInt16) -> String {
                host.contains(":") ? "http://[\(host)]:\(port)/" : "http://\(host):\(port)/"
            }
            let tailnet = [NetworkLab.nodeTailnetIPv4, NetworkLab.nodeTailnetIPv6]
            let lan = [NetworkLab.nodePublicIPv4, NetworkLab.nodePublicIPv6]
            let nft = CommandLauncher(lab.nodeLauncherWords + ["nft"])

            try await Firewall(policy: try FirewallPolicy(), nft: nft).apply()
            for host in tailnet {
                #expect(try await lab.clientStatus(url(host, 80)) == 200, "the ingress over the tailnet: \(host)")
                for port in others {
                    #expect(try await lab.clientStatus(url(host, port), timeout: 1) == nil, "closed to the tailnet: \(host):\(port)")
                }
            }
            for host in lan {
                #expect(try await lab.clientStatus(url(host, 80), timeout: 1) == nil, "the ingress is not the LAN's: \(host)")
                for port in others {
                    #expect(try await lab.clientStatus(url(host, port)) == 200, "the LAN keeps its ports: \(host):\(port)")
                }
            }
            // INGRESS_TAILNET_PORTS=80,443,22: ssh opens, and nothing else does.
            let widened = try FirewallPolicy(tailnetPorts: try FirewallPolicy.parsePorts("80,443,22"))
            try await Firewall(policy: widened, nft: nft).apply()
            for host in tailnet {
                #expect(try await lab.clientStatus(url(host, 22)) == 200, "opened by the setting: \(host):22")
                for port: UInt16 in [9102, 10250] {
                    #expect(try await lab.clientStatus(url(host, port), timeout: 1) == nil, "still closed: \(host):\(port)")
                }
            }
        }
    }

    /// `ingress firewall --watch`, the controller's native sidecar, as the built binary in the
    /// node's namespace: the table is back after `nft delete table` and after `nft flush ruleset`
    /// (what Debian's nftables.service does), and stays when the watcher is stopped.
    @Test func theWatcherRestoresTheTableAfterADeleteAndAFlush() async throws {
        try await withNetworkLab { lab in
            let nft = CommandLauncher(lab.nodeLauncherWords + ["nft"])
            let firewall = Firewall(policy: try FirewallPolicy(), nft: nft)
            let scratch = try TemporaryDirectory(prefix: "fw-watch")
            let watcher = try SpawnedProcess(
                "/usr/bin/ip",
                ["netns", "exec", lab.node, BuiltProducts.path("charon-node"), "ingress", "firewall", "--watch"],
                environment: SpawnedProcess.inheritedEnvironment(),
                outputFolder: scratch.path
            )
            defer { _ = watcher.terminate() }
            #expect(await eventually { watcher.standardOutput.contains("watching the ruleset") }, "\(watcher.standardError)")
            #expect(try await firewall.inspect() == .inPlace)

            var restoredIn: [Duration] = []
            for breaking in [["delete", "table", "inet", "charon_ingress"], ["flush", "ruleset"]] {
                let started = ContinuousClock.now
                try await nft.check(breaking)
                #expect(await eventually { (try? await firewall.inspect()) == .inPlace }, "after nft \(breaking.joined(separator: " "))")
                restoredIn.append(started.duration(to: .now))
            }
            // The public side is closed again, by the restored table.
            #expect(try await lab.clientStatus("http://\(NetworkLab.nodePublicIPv4):80/", timeout: 1) == nil)
            print("ingress firewall --watch restored the table in \(restoredIn)")
            #expect(watcher.standardOutput.contains("restoring (was missing)"), "\(watcher.standardOutput)")

            // Stopped (SIGTERM, as kubelet does): exit 0, and the table stays.
            #expect(watcher.terminate() == 0, "\(watcher.standardError)")
            #expect(watcher.standardOutput.contains("left in place; stopped watching"))
            #expect(try await firewall.inspect() == .inPlace)
        }
    }

    /// The ingress health check in the lab: it repairs the firewall and sees nginx's sockets
    /// through `/proc/<nginx pid>/net`, i.e. inside the node's namespace.
    @Test func ingressCheckRepairsTheFirewallAndSeesTheListeningPorts() async throws {
        try await withNetworkLab { lab in
            let nginx = try TestNginx(namespace: lab.node, servers: "server { listen 80; listen [::]:443; return 200; }")
            try await nginx.start()
            defer { nginx.stop() }
            let pid = try #require(nginx.pid)
            let status = try FakeTailscale(status: TailscaleFixtures.running())
            let reconciler = IngressReconciler(
                parts: .init(
                    hostname: try IngressHostname(nodeName: "node1"),
                    join: nil,
                    status: status.cli,
                    firewall: Firewall(policy: try FirewallPolicy(), nft: CommandLauncher(lab.nodeLauncherWords + ["nft"])),
                    controller: nil,
                    dns: nil,
                    listeningPorts: ListeningPorts(procRoot: "/proc/\(pid)"),
                    now: { TailscaleFixtures.now }
                )
            )
            let first = await reconciler.report()
            #expect(first.ingress.ok, "\(first.ingress.message)")
            #expect(first.ingress.message == "firewall repaired (was missing); listening on 80, 443")
            #expect(first.tailscale.ok)
            let second = await reconciler.report()
            #expect(second.ingress.message == "firewall in place; listening on 80, 443")
            // The lab's firewall really is in place: the public side is dropped.
            #expect(try await lab.clientStatus("http://\(NetworkLab.nodePublicIPv4)/", timeout: 1) == nil)

            nginx.stop()
            let stopped = await reconciler.report()
            #expect(!stopped.ingress.ok)
            #expect(stopped.ingress.reason == "IngressNotListening")
        }
    }
}
