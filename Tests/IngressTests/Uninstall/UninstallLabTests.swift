import CharonSupport
import Glibc
import HostCommand
import Ingress
import Lifecycle
import TestSupport
import Testing

/// `charon-node uninstall --yes` on a node set up the way the agent leaves it: the table in a
/// network namespace (nft reaches it through a wrapper on PATH, so the binary itself runs beside
/// the loopback fakes), a joined tailscaled (the fake CLI), its Headscale node and owned A record
/// (the fakes, beside another node's and foreign ones), Charon* conditions on its Node (the fake
/// API, as behind `kubectl proxy`), the lifecycle image pinned by `charon-node image rebuild` in
/// the private containerd, and the state folders. Then a second run that must change nothing.
@Suite(
    .serialized,
    .enabled(
        if: TestEnvironment.isCI || Prerequisites.available(["ip", "nft", "nginx", "curl", "openssl", "ctr", "containerd"]),
        "needs root, ip, nft, nginx, curl, openssl and containerd"
    )
)
struct UninstallLabTests {
    static let reference = "localhost/tailscale-lifecycle:latest"
    static let fqdn = "nginx-ingress-node1.example.com"

    @Test func uninstallRemovesOnlyWhatCharonOwnsAndASecondRunChangesNothing() async throws {
        try await withNetworkLab { lab in
            let scratch = try TemporaryDirectory(prefix: "uninstall")
            let cert = try await TestCertificate(in: scratch.path)
            let nginx = try TestNginx(
                namespace: lab.node,
                servers: """
                    server {
                        listen 80; listen 443 ssl;
                        ssl_certificate \(cert.certificate);
                        ssl_certificate_key \(cert.key);
                        location / { return 200 "ingress\\n"; }
                    }
                    """
            )
            try await nginx.start()
            defer { nginx.stop() }
            let lan443 = "https://\(NetworkLab.nodePublicIPv4)/"

            // The table, as the agent installs it: the LAN cannot reach 443.
            try await Firewall(policy: try FirewallPolicy(), nft: CommandLauncher(lab.nodeLauncherWords + ["nft"])).apply()
            #expect(try await lab.clientStatus(lan443, timeout: 1) == nil, "the table drops the LAN")
            // `nft` for the binary under test: the lab's node namespace.
            try scratch.write("bin/nft", "#!/bin/sh\nPATH=/usr/sbin:/usr/bin:/sbin:/bin exec ip netns exec \(lab.node) nft \"$@\"\n", mode: 0o755)

            let tailscale = try FakeTailscale(status: TailscaleFixtures.running())
            let namespace = "charon-uninstall-\(getpid())"
            let containerd = try await PrivateContainerd.address()
            let output = "\(scratch.path)/state/tailscale-lifecycle-image.tar"
            try POSIXIO.makeDirectories("\(scratch.path)/state")
            try scratch.write("state/operator-notes.txt", "not charon's")
            try scratch.write("tailscale-state/tailscaled.state", "{\"_machinekey\":\"secret\"}")
            try scratch.write("keys/authkey-nginx-ingress-node1", "hskey-auth-leftover")
            try scratch.write(
                "spec/image.yaml",
                "reference: \(Self.reference)\ncompression: none\nlayers:\n  - name: data\n    contents:\n      - content: \"uninstall\"\n        destination: /etc/hello\n"
            )
            let rebuild = try await BuiltProducts.run(
                "charon-node",
                [
                    "image", "rebuild", "--spec", "\(scratch.path)/spec", "--output", output, "--containerd-address", containerd, "--namespace",
                    namespace,
                ]
            )
            #expect(rebuild.exitCode == 0, "\(rebuild.standardError)")
            #expect(try await pinLabel(namespace) == "pinned")

            let apis = try await HeadscaleAndCloudflare.start(user: "ingress")
            try await withFake(apis) { apis in
                let kubernetes = try await FakeKubernetesAPI.start(node: "node1", token: nil)
                try await withFake(kubernetes) { kubernetes in
                    let mine = apis.headscale.addNode(name: "nginx-ingress-node1", user: "ingress")
                    let otherNode = apis.headscale.addNode(name: "nginx-ingress-node2", user: "ingress")
                    let otherUser = apis.headscale.addNode(name: "nginx-ingress-node1", user: "someone-else")
                    let marker = RecordOwnership.marker(ownerID: "charon")
                    let owned = apis.cloudflare.addRecord(name: Self.fqdn, type: "A", content: "100.64.0.7", comment: marker)
                    let unmarked = apis.cloudflare.addRecord(name: Self.fqdn, type: "A", content: "100.64.0.9")
                    let text = apis.cloudflare.addRecord(name: Self.fqdn, type: "TXT", content: "\"keep me\"", comment: marker)
                    let node2 = apis.cloudflare.addRecord(name: "nginx-ingress-node2.example.com", type: "A", content: "100.64.0.8", comment: marker)
                    kubernetes.setCondition(type: "CharonImageProblem", status: "False", reason: "ImagePresent")
                    kubernetes.setCondition(type: "CharonIngressProblem", status: "True", reason: "FirewallFailed")
                    kubernetes.setCondition(type: "OtherAgentProblem", status: "False", reason: "Fine")

                    let environment = apis.environment.merging([
                        "PATH": "\(scratch.path)/bin:" + (TestEnvironment.value("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin"),
                        "DOMAIN_NAME": "example.com", "NODE_NAME": "node1", "TAILSCALE_BIN": tailscale.executable,
                    ]) { $1 }
                    let arguments = [
                        "uninstall", "--yes", "--spec", "\(scratch.path)/spec", "--output", output,
                        "--containerd-address", containerd, "--namespace", namespace,
                        "--tailscale-state", "\(scratch.path)/tailscale-state", "--key-directory", "\(scratch.path)/keys",
                        "--api-server", kubernetes.baseURL,
                    ]
                    let first = try await BuiltProducts.run("charon-node", arguments, environment: environment)
                    #expect(first.exitCode == 0, "\(first.standardOutput)\(first.standardError)")
                    let lines = first.standardOutput.split(separator: "\n").map(String.init)
                    #expect(lines.map { $0.prefix { $0 != ":" } } == ["firewall", "tailscale", "headscale", "dns", "conditions", "image", "state"])
                    #expect(lines.contains("firewall: removed table inet charon_ingress"), "\(lines)")
                    #expect(lines.contains("tailscale: logged out nginx-ingress-node1 (was Running)"), "\(lines)")
                    #expect(!(first.standardOutput + first.standardError).contains(apis.headscale.apiKey))
                    #expect(!(first.standardOutput + first.standardError).contains(apis.cloudflare.token))

                    // No table: the LAN reaches 443 again.
                    #expect(try await lab.inNode(["nft", "list", "table", "inet", "charon_ingress"]).exitCode != 0)
                    #expect(try await lab.clientStatus(lan443) == 200)
                    // tailscaled logged out, once.
                    #expect(tailscale.logoutCalls == 1)
                    // Its registration gone; another node's and another user's of the same name stay.
                    #expect(Set(apis.headscale.nodes.map(\.id)) == [otherNode, otherUser])
                    #expect(!apis.headscale.nodes.contains { $0.id == mine })
                    // Its owned A record gone; unmarked, other-type and other nodes' records stay.
                    #expect(Set(apis.cloudflare.records.map(\.id)) == [unmarked, text, node2])
                    #expect(!apis.cloudflare.records.contains { $0.id == owned })
                    // Only Charon* conditions removed, kubelet's and other agents' kept in order.
                    #expect(kubernetes.conditions.map(\.type) == ["Ready", "OtherAgentProblem"])
                    // The image kept, unpinned.
                    #expect(try await pinLabel(namespace) == "")
                    // State: charon's files and folders gone, the operator's file (and so its folder) kept.
                    for gone in [output, "\(output).lock", "\(output).inputs.json", "\(scratch.path)/tailscale-state", "\(scratch.path)/keys"] {
                        #expect(!POSIXIO.exists(gone), "\(gone) must be removed")
                    }
                    #expect(POSIXIO.exists("\(scratch.path)/state/operator-notes.txt"))

                    // Again: exit 0, every step already done, nothing changed anywhere.
                    let patchesBefore = kubernetes.patchBodies.count
                    let second = try await BuiltProducts.run("charon-node", arguments, environment: environment)
                    #expect(second.exitCode == 0, "\(second.standardOutput)\(second.standardError)")
                    for line in second.standardOutput.split(separator: "\n") {
                        #expect(line.contains(": already done: "), "a second run changes nothing: \(line)")
                    }
                    #expect(second.standardOutput.split(separator: "\n").count == 7)
                    #expect(tailscale.logoutCalls == 1)
                    #expect(Set(apis.headscale.nodes.map(\.id)) == [otherNode, otherUser])
                    #expect(Set(apis.cloudflare.records.map(\.id)) == [unmarked, text, node2])
                    #expect(kubernetes.conditions.map(\.type) == ["Ready", "OtherAgentProblem"])
                    #expect(kubernetes.patchBodies.count == patchesBefore + 1, "only the empty read patch")
                    #expect(kubernetes.patchBodies.last == Array("{}".utf8))
                    #expect(try await pinLabel(namespace) == "")
                    #expect(try await lab.clientStatus(lan443) == 200)
                }
            }
            _ = try await PrivateContainerd.ctr(["images", "rm", Self.reference], namespace: namespace)
        }
    }

    /// The image's `io.cri-containerd.pinned` label ("" when unlabelled); fails when the image is gone.
    func pinLabel(_ namespace: String) async throws -> String {
        let listing = try await PrivateContainerd.ctr(["images", "ls", "name==\(Self.reference)"], namespace: namespace)
        let line = try #require(listing.standardOutput.split(separator: "\n").dropFirst().first, "the image must be present")
        let labels = line.split(separator: " ").last.map(String.init) ?? ""
        return labels.split(separator: ",").first { $0.hasPrefix("io.cri-containerd.pinned=") }.map {
            String($0.dropFirst("io.cri-containerd.pinned=".count))
        }
            ?? ""
    }
}
