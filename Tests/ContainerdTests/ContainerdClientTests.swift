import CharonSupport
import Containerd
import Glibc
import HostCommand
import OCI
import TestSupport
import Testing

/// The `ctr`-based client against the private containerd (`make test` starts it; CI never skips
/// these): import, look up, label, and the importer's keep-it-present round trip. Each test has
/// its own namespace, so parallel tests never see each other's images.
@Suite("containerd client")
struct ContainerdClientTests {
    /// A one-file image built by charon's own builder, and the namespace it goes into.
    struct Fixture {
        let scratch: TemporaryDirectory
        let reference: String
        let tarball: String
        let digest: String
        let containerd: ContainerdClient

        init(_ name: String) async throws {
            scratch = try TemporaryDirectory(prefix: "containerd-\(name)")
            reference = "localhost/charon-containerd-\(name):latest"
            try scratch.write(
                "spec/image.yaml",
                "reference: \(reference)\ncompression: none\nlayers:\n  - name: data\n    contents:\n      - content: \"\(name)\"\n        destination: /etc/hello\n"
            )
            tarball = "\(scratch.path)/image.tar"
            digest = try ImageBuilder(options: .init(output: tarball)).build(try ImageSpec.load(from: "\(scratch.path)/spec")).manifestDigest
                .description
            containerd = ContainerdClient(address: try await PrivateContainerd.address(), namespace: "charon-ctd-\(name)-\(getpid())")
        }

        func remove() async {
            _ = try? await PrivateContainerd.ctr(["images", "rm", reference], namespace: containerd.namespace)
        }
    }

    @Test("the server's version is read from ctr version's second block")
    func serverVersion() async throws {
        let containerd = ContainerdClient(address: try await PrivateContainerd.address(), namespace: "default")
        let version = try await containerd.serverVersion()
        let installed = try await HostCommand(executable: "containerd").check(["--version"])
        #expect(version != "unknown" && installed.contains(version), "\(version) vs \(installed)")
    }

    @Test("import, look up by exact reference, label: what containerd lists is what was built")
    func importLookUpLabel() async throws {
        let fixture = try await Fixture("lookup")
        #expect(try await fixture.containerd.image(named: fixture.reference) == nil)
        try await fixture.containerd.importImage(fixture.tarball)
        let image = try #require(try await fixture.containerd.image(named: fixture.reference))
        #expect(image.digest == fixture.digest)
        #expect(!image.isPinned)
        #expect(try await fixture.containerd.image(named: fixture.reference.replacing(":latest", with: ":other")) == nil)
        try await fixture.containerd.label(fixture.reference, key: ContainerdClient.pinnedLabel.key, value: ContainerdClient.pinnedLabel.value)
        #expect(try await fixture.containerd.image(named: fixture.reference)?.isPinned == true)
        await fixture.remove()
    }

    @Test("the importer imports and pins once, does nothing while the image stays, and imports again after removal")
    func keepsTheImagePresent() async throws {
        let fixture = try await Fixture("importer")
        let importer = ImageImporter(containerd: fixture.containerd)
        let first = try await importer.ensure(reference: fixture.reference, digest: fixture.digest, tarball: fixture.tarball)
        #expect(first.imported && first.pinned, "imported, then labelled")
        let second = try await importer.ensure(reference: fixture.reference, digest: fixture.digest, tarball: fixture.tarball)
        #expect(second.imported == false && second.pinned == false, "present, right digest, pinned: nothing to do")
        #expect(try await fixture.containerd.image(named: fixture.reference)?.isPinned == true)
        await fixture.remove()
        #expect(try await fixture.containerd.image(named: fixture.reference) == nil)
        let third = try await importer.ensure(reference: fixture.reference, digest: fixture.digest, tarball: fixture.tarball)
        #expect(third.imported && third.pinned, "removed (as kubelet's GC would): imported and pinned again")
        await fixture.remove()
    }

    @Test("a missing socket or a file that is not one is named before ctr runs; a dead socket says connection refused")
    func unreachable() async throws {
        let scratch = try TemporaryDirectory(prefix: "containerd-unreachable")
        let missing = ContainerdClient(address: "\(scratch.path)/absent.sock", namespace: "n")
        await #expect(throws: ContainerdError.socketMissing("\(scratch.path)/absent.sock")) { _ = try await missing.serverVersion() }
        let file = try scratch.write("file.sock", "")
        await #expect(throws: ContainerdError.notASocket(file)) { _ = try await ContainerdClient(address: file, namespace: "n").serverVersion() }

        // A socket file nobody listens on any more: ctr is refused, and the message says so.
        let dead = "\(scratch.path)/dead.sock"
        _ = try ListeningUnixSocket(path: dead)  // released at once: the file stays, nobody listens
        // ctr retries a refused dial until its connect timeout, then reports the last refusal: the
        // default 5 s leaves room for the first dial even on a loaded machine.
        let error = await #expect(throws: ContainerdError.self) {
            _ = try await ContainerdClient(address: dead, namespace: "n").serverVersion()
        }
        #expect(error?.description.contains("connection refused") == true, "\(String(describing: error))")
    }
}
