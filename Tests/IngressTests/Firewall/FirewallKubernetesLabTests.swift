import Ingress
import TestSupport
import Testing

/// The firewall on a Kubernetes node: pods keep reaching Services, while every address of the node
/// (its own, another interface's, a VIP without that port) stays closed to all but the tailnet.
///
/// IPVS itself cannot be loaded everywhere the tests run (it is a kernel module), so the lab binds
/// the VIPs to a `kube-ipvs0` device left down, exactly as kube-proxy does, and shows what charon's
/// chain sees: a connection no virtual service takes. IPVS takes its packets at `input` priority 99,
/// before the chain (110), which ``FirewallPolicyTests`` and the listing check pin down.
@Suite(
    .serialized,
    .enabled(
        if: TestEnvironment.isCI || Prerequisites.available(["ip", "nft", "nginx", "curl"]),
        "needs root, ip, nft, nginx and curl"
    )
)
struct FirewallKubernetesLabTests {
    @Test func podsKeepServicesButNotTheNodesAddresses() async throws {
        try await withNetworkLab { lab in
            // The internal controller on the host network (plain HTTP on 443: the TCP path is what
            // is tested), and something on another port.
            let nginx = try TestNginx(
                namespace: lab.node,
                servers: """
                    server { listen 80; listen [::]:80; listen 443; listen [::]:443; return 200; }
                    server { listen 8443; listen [::]:8443; return 200; }
                    """
            )
            try await nginx.start()
            defer { nginx.stop() }
            // A Service backend elsewhere (the client host stands in for another node's pod).
            let backend = try TestNginx(namespace: lab.client, servers: "server { listen 8080; listen [::]:8080; return 200; }")
            try await backend.start()
            defer { backend.stop() }
            // kube-proxy's iptables/nftables modes: the ClusterIP is DNATed in prerouting, so the
            // connection takes the forward path.
            let nft = CommandLauncher(lab.nodeLauncherWords + ["nft"])
            let kubeProxyScript = try TemporaryDirectory(prefix: "kube-proxy")
            try kubeProxyScript.write(
                "rules.nft",
                """
                table inet kube_proxy_standin {
                    chain prerouting {
                        type nat hook prerouting priority dstnat; policy accept;
                        ip daddr 10.96.0.2 tcp dport 443 dnat ip to \(NetworkLab.clientPublicIPv4):8080
                        ip6 daddr fd00:96::2 tcp dport 443 dnat ip6 to [\(NetworkLab.clientPublicIPv6)]:8080
                    }
                }

                """
            )
            try await nft.check(["-f", "\(kubeProxyScript.path)/rules.nft"])

            let nodesOwn = [
                "http://\(NetworkLab.nodePublicIPv4):443/", "http://\(NetworkLab.nodePublicIPv4)/",
                "http://\(NetworkLab.nodePodIPv4):443/", "http://[\(NetworkLab.nodePublicIPv6)]:443/",
            ]
            let vips = ["http://\(NetworkLab.serviceVIPv4):443/", "http://[\(NetworkLab.serviceVIPv6)]:443/"]
            let clusterIPs = ["http://10.96.0.2:443/", "http://[fd00:96::2]:443/"]
            // Before the table: the pod reaches all of it (the VIPs are local addresses).
            for url in nodesOwn + vips {
                #expect(try await lab.podStatus(url) == 200, "before: \(url)")
            }

            let firewall = Firewall(policy: try FirewallPolicy(), nft: nft)
            try await firewall.apply()
            #expect(try await firewall.inspect() == .inPlace)

            for url in nodesOwn {
                #expect(try await lab.podStatus(url, timeout: 1) == nil, "a pod must not reach the node's own address: \(url)")
            }
            // A VIP that no virtual service takes would be delivered to the host-network
            // controller: it is a local address like any other and stays closed.
            for url in vips {
                #expect(try await lab.podStatus(url, timeout: 1) == nil, "a VIP without that port stays closed: \(url)")
            }
            // Other ports of the VIPs and of the node are untouched.
            for url in [
                "http://\(NetworkLab.serviceVIPv4):8443/", "http://[\(NetworkLab.serviceVIPv6)]:8443/", "http://\(NetworkLab.nodePodIPv4):8443/",
            ] {
                #expect(try await lab.podStatus(url) == 200, "other ports: \(url)")
            }
            // ClusterIPs DNATed by kube-proxy (iptables/nftables modes) travel the forward path.
            for url in clusterIPs {
                #expect(try await lab.podStatus(url) == 200, "DNATed Service traffic: \(url)")
            }

            // The weak-host path: the LAN client sends to the node's other address through pub0.
            for url in ["http://\(NetworkLab.nodeOtherIPv4):443/", "http://[\(NetworkLab.nodeOtherIPv6)]:443/"] {
                #expect(try await lab.clientStatus(url, timeout: 1) == nil, "weak-host path: \(url)")
            }
            #expect(try await lab.clientStatus("http://\(NetworkLab.nodeOtherIPv4):8443/") == 200, "the route itself works")
            // And the tailnet still gets in.
            #expect(try await lab.clientStatus("http://\(NetworkLab.nodeTailnetIPv4):443/") == 200)
            #expect(try await lab.clientStatus("http://[\(NetworkLab.nodeTailnetIPv6)]:443/") == 200)
        }
    }

    /// The kernel's own listing of the chain: hooked at 110, after IPVS's `input` hooks (98, 99).
    @Test func theChainRunsAfterIPVS() async throws {
        try await withNetworkLab { lab in
            let nft = CommandLauncher(lab.nodeLauncherWords + ["nft"])
            try await Firewall(policy: try FirewallPolicy(), nft: nft).apply()
            let listing = try JSONValue.parse(try await nft.check(["-j", "list", "chain", "inet", "charon_ingress", "input"]))
            let chain = listing["nftables"]?.arrayValue?.compactMap { $0["chain"] }.first
            #expect(chain?["prio"] == .number(110))
            #expect(chain?["hook"] == .string("input"))
        }
    }
}
