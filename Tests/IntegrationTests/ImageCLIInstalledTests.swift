import CharonSupport
import Glibc
import HostCommand
import TestSupport
import Testing

/// The layout `make install` produces (`bin/` + `share/charon-node/images/`), and ctr's own
/// failures reaching the operator as one line.
@Suite("charon-node as installed on a node", .serialized)
struct ImageCLIInstalledTests {
    @Test func installedBinaryFindsItsSpecAndTheLifecycleBinaryBesideIt() async throws {
        let prefix = try TemporaryDirectory(prefix: "prefix")
        let root = BuiltProducts.packageRoot
        try POSIXIO.makeDirectories("\(prefix.path)/bin")
        try POSIXIO.makeDirectories("\(prefix.path)/share/charon-node/images/tailscale-lifecycle")
        for name in ["charon-node", "charon-lifecycle"] {
            try await HostCommand(executable: "cp").check([BuiltProducts.path(name), "\(prefix.path)/bin/\(name)"])
        }
        try await HostCommand(executable: "cp").check([
            "\(root)/images/tailscale-lifecycle/image.yaml", "\(prefix.path)/share/charon-node/images/tailscale-lifecycle/image.yaml",
        ])
        // Run from an unrelated folder, with no --spec and a PATH that does not hold the build.
        let output = "\(prefix.path)/lifecycle.tar"
        let result = try await HostCommand(executable: "sh").run([
            "-c", "cd / && PATH=/usr/bin:/bin '\(prefix.path)/bin/charon-node' image build --output '\(output)'",
        ])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("localhost/tailscale-lifecycle:latest sha256:"))
        try POSIXIO.makeDirectories("\(prefix.path)/layout")
        try await HostCommand(executable: "tar").check(["-xf", output, "-C", "\(prefix.path)/layout"])
        // Whichever blob is the layer: list every blob that tar can read.
        let listing = try await HostCommand(executable: "sh").check([
            "-c", "for blob in '\(prefix.path)'/layout/blobs/sha256/*; do tar -tf \"$blob\" 2>/dev/null; done; true",
        ])
        #expect(listing.contains("usr/local/bin/charon-lifecycle"))
    }

    @Test func permissionDeniedOnTheSocketIsOneLine() async throws {
        let socket = try await PrivateContainerd.address()
        let scratch = try TemporaryDirectory()
        chmod(scratch.path, 0o755)
        let output = "\(scratch.path)/lifecycle.tar"
        let build = try await BuiltProducts.run(
            "charon-node",
            ["image", "build", "--spec", "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle", "--output", output]
        )
        #expect(build.exitCode == 0)
        // The same import as an unprivileged user: containerd's socket is root's.
        let result = try await HostCommand(executable: "setpriv").run([
            "--reuid=65534", "--regid=65534", "--clear-groups", BuiltProducts.path("charon-node"),
            "image", "import", "--containerd-address", socket, "--namespace", "charon-test-perm", output,
        ])
        #expect(result.exitCode == 1)
        let lines = result.standardError.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(
            lines == ["error: ctr images import failed: permission denied on the containerd socket"]
                || lines == ["error: ctr images ls failed: permission denied on the containerd socket"],
            "got: \(result.standardError)"
        )
    }

    @Test func anArchiveCtrRejectsIsOneLine() async throws {
        let socket = try await PrivateContainerd.address()
        let scratch = try TemporaryDirectory()
        // index.json names an image whose blobs are not in the archive.
        try scratch.write("layout/oci-layout", #"{"imageLayoutVersion":"1.0.0"}"#)
        try scratch.write(
            "layout/index.json",
            """
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "digest":"sha256:\(String(repeating: "a", count: 64))","size":10,\
            "annotations":{"io.containerd.image.name":"localhost/broken:latest"}}]}
            """
        )
        try await HostCommand(executable: "tar").check([
            "-C", "\(scratch.path)/layout", "-cf", "\(scratch.path)/broken.tar", "oci-layout", "index.json",
        ])
        let result = try await BuiltProducts.run(
            "charon-node",
            ["image", "import", "--containerd-address", socket, "--namespace", "charon-test-broken", "\(scratch.path)/broken.tar"]
        )
        #expect(result.exitCode == 1)
        let errors = result.standardError.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("error: ctr images import failed: ") == true, "got: \(result.standardError)")
        #expect(!result.standardError.contains("goroutine"))
    }
}
