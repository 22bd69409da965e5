import CharonSupport
import Glibc
import HostCommand
import TestSupport
import Testing

/// `charon-node image …` end to end: the built binary, the shipped lifecycle spec, a real
/// containerd. Each test uses its own containerd namespace so they cannot see each other.
@Suite("charon-node image against a private containerd", .serialized)
struct ImageCLIContainerdTests {
    static let reference = "localhost/tailscale-lifecycle:latest"

    static func namespace() -> String { "charon-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }

    static func rebuild(output: String, socket: String, namespace: String) async throws -> HostCommand.Output {
        try await BuiltProducts.run(
            "charon-node",
            [
                "image", "rebuild", "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle",
                "--output", output, "--containerd-address", socket, "--namespace", namespace,
            ]
        )
    }

    @Test func rebuildImportsPinsAndTheImageRuns() async throws {
        let socket = try await PrivateContainerd.address()
        let namespace = Self.namespace()
        let scratch = try TemporaryDirectory()
        let output = "\(scratch.path)/lifecycle.tar"

        let first = try await Self.rebuild(output: output, socket: socket, namespace: namespace)
        #expect(first.exitCode == 0, "stderr: \(first.standardError)")
        let words = first.standardOutput.split(separator: " ").map(String.init)
        #expect(words.first == Self.reference)
        #expect(first.standardOutput.hasSuffix("written imported pinned\n"))
        // `#require`, not `words[1]`: a failed rebuild prints nothing, and indexing would crash
        // the whole test process instead of failing this test.
        let digest = try #require(words.dropFirst().first, "no digest in: \(first.standardOutput)")

        let listing = try await PrivateContainerd.ctr(["images", "ls", "name==\(Self.reference)"], namespace: namespace)
        #expect(listing.standardOutput.contains(digest))
        #expect(listing.standardOutput.contains("io.cri-containerd.pinned=pinned"))

        // The image is base-less: the closure alone must be enough to run the binary.
        let container = "lifecycle-\(UInt32.random(in: 0...UInt32.max))"
        let run = try await PrivateContainerd.ctr(
            ["run", "--rm", "--net-host", Self.reference, container, "/usr/local/bin/charon-lifecycle", "--version"],
            namespace: namespace
        )
        #expect(run.exitCode == 0, "ctr run: \(run.standardError)")
        #expect(run.standardOutput == "\(TestEnvironment.stampedVersion)\n")

        // Nothing changed: nothing rewritten, nothing imported.
        let second = try await Self.rebuild(output: output, socket: socket, namespace: namespace)
        #expect(second.exitCode == 0)
        #expect(second.standardOutput == "\(Self.reference) \(digest) \(output) unchanged present pinned\n")

        // Someone removes the image (kubelet GC, ctr images rm): the next rebuild brings it back.
        _ = try await PrivateContainerd.ctr(["images", "rm", Self.reference], namespace: namespace)
        let third = try await Self.rebuild(output: output, socket: socket, namespace: namespace)
        #expect(third.standardOutput == "\(Self.reference) \(digest) \(output) unchanged imported pinned\n")
    }

    @Test func importVerifiesAndPinsAGivenTarball() async throws {
        let socket = try await PrivateContainerd.address()
        let namespace = Self.namespace()
        let scratch = try TemporaryDirectory()
        let output = "\(scratch.path)/lifecycle.tar"
        let build = try await BuiltProducts.run(
            "charon-node",
            ["image", "build", "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle", "--output", output]
        )
        #expect(build.exitCode == 0, "\(build.standardError)")
        let imported = try await BuiltProducts.run(
            "charon-node",
            ["image", "import", "--containerd-address", socket, "--namespace", namespace, output]
        )
        #expect(imported.exitCode == 0, "\(imported.standardError)")
        #expect(imported.standardOutput.hasSuffix("imported pinned\n"))
        let again = try await BuiltProducts.run("charon-node", ["image", "import", "--containerd-address", socket, "--namespace", namespace, output])
        #expect(again.standardOutput.hasSuffix("present pinned\n"))
    }

    @Test func skopeoAndUmociReadTheTarball() async throws {
        let scratch = try TemporaryDirectory()
        let output = "\(scratch.path)/lifecycle.tar"
        let build = try await BuiltProducts.run(
            "charon-node",
            ["image", "build", "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle", "--output", output]
        )
        #expect(build.exitCode == 0, "\(build.standardError)")
        let digest = build.standardOutput.split(separator: " ")[1]

        let inspect = try await HostCommand(executable: "skopeo").run(["inspect", "oci-archive:\(output)"])
        #expect(inspect.exitCode == 0, "skopeo: \(inspect.standardError)")
        #expect(inspect.standardOutput.contains("\"Digest\": \"\(digest)\""))
        #expect(inspect.standardOutput.contains("\"Architecture\": \"amd64\""))

        let layout = "\(scratch.path)/layout"
        try POSIXIO.makeDirectories(layout)
        try await HostCommand(executable: "tar").check(["-xf", output, "-C", layout])
        let bundle = "\(scratch.path)/bundle"
        let unpack = try await HostCommand(executable: "umoci").run(["unpack", "--image", "\(layout):latest", bundle])
        #expect(unpack.exitCode == 0, "umoci: \(unpack.standardError)")
        #expect(access("\(bundle)/rootfs/usr/local/bin/charon-lifecycle", X_OK) == 0)
        #expect(access("\(bundle)/rootfs/lib64/ld-linux-x86-64.so.2", F_OK) == 0)
        #expect(access("\(bundle)/rootfs/etc/ssl/certs/ca-certificates.crt", R_OK) == 0)
        let config = try POSIXIO.readFile("\(bundle)/config.json")
        #expect(String(decoding: config, as: UTF8.self).contains("\"uid\": 65532"))
    }
}
