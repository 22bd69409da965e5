import CharonSupport
import Glibc
import HostCommand
import TestSupport
import Testing

/// The built lifecycle image doing its real job: `charon-lifecycle cleanup` run by containerd
/// (host network, as the init container would reach Headscale and Cloudflare) against the
/// loopback fakes, writing the key into a mounted folder as the non-root user the image declares.
@Suite("lifecycle image in containerd", .serialized)
struct LifecycleImageContainerdTests {
    @Test func cleanupRunsInsideTheImage() async throws {
        let socket = try await PrivateContainerd.address()
        let namespace = "charon-test-lifecycle-\(getpid())"
        let apis = try await HeadscaleAndCloudflare.start(
            apiKey: "hskey-api-IMAGE-SECRET",
            user: "services",
            token: "cf-token-IMAGE-SECRET",
            zoneID: "zone-image"
        )
        try await withFake(apis) { apis in
            let headscale = apis.headscale
            let cloudflare = apis.cloudflare
            let stale = headscale.addNode(name: "ollama", user: "services", givenName: "ollama")
            let suffixed = headscale.addNode(name: "ollama", user: "services", givenName: "ollama-x8k2p1q3")
            let lookalike = headscale.addNode(name: "ollama-web", user: "services")
            let staleRecord = cloudflare.addRecord(name: "ollama.example.com", type: "A", content: "100.64.0.9")
            let foreignRecord = cloudflare.addRecord(name: "ollama.example.com", type: "A", content: "203.0.113.7")

            let scratch = try TemporaryDirectory()
            let output = "\(scratch.path)/lifecycle.tar"
            let rebuild = try await BuiltProducts.run(
                "charon-node",
                [
                    "image", "rebuild", "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle", "--output", output,
                    "--containerd-address", socket, "--namespace", namespace,
                ]
            )
            #expect(rebuild.exitCode == 0, "\(rebuild.standardError)")

            // The shared emptyDir of the pod as kubelet makes it without fsGroup (the migration
            // guide's form): root's, mode 1777. The image's user (65532) writes the key into it.
            let keyFolder = "\(scratch.path)/tailscale-auth"
            try POSIXIO.makeDirectories(keyFolder)
            chmod(keyFolder, 0o1777)
            chmod(scratch.path, 0o755)
            let environment = apis.environment.merging(["TS_HOSTNAME": "ollama", "DOMAIN_NAME": "example.com"]) { _, setting in setting }
                .map { "\($0.key)=\($0.value)" }.sorted()
            let run = try await PrivateContainerd.ctr(
                ["run", "--rm", "--net-host"] + environment.flatMap { ["--env", $0] }
                    + [
                        "--mount", "type=bind,src=\(keyFolder),dst=/tailscale-auth,options=rbind:rw",
                        "localhost/tailscale-lifecycle:latest", "cleanup-\(getpid())", "/usr/local/bin/charon-lifecycle", "cleanup",
                    ],
                namespace: namespace
            )
            #expect(run.exitCode == 0, "cleanup in the image failed: \(run.standardOutput) \(run.standardError)")

            let remaining = Set(headscale.nodes.map(\.id))
            #expect(!remaining.contains(stale) && !remaining.contains(suffixed))
            #expect(remaining.contains(lookalike))
            #expect(!cloudflare.records.contains { $0.id == staleRecord })
            #expect(cloudflare.records.contains { $0.id == foreignRecord })

            let key = try POSIXIO.readFile("\(keyFolder)/authkey")
            #expect(String(decoding: key, as: UTF8.self).trimmingSuffix("\n") == headscale.issuedKeys.last?.key)
            var info = stat()
            #expect(stat("\(keyFolder)/authkey", &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
            #expect(info.st_uid == 65532, "the key file belongs to the image's non-root user")
            let everything = run.standardOutput + run.standardError
            #expect(!everything.contains("IMAGE-SECRET"))
            #expect(!everything.contains(headscale.issuedKeys.last?.key ?? "no key issued"))
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
