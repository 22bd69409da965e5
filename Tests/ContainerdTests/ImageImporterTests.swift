import Containerd
import HostCommand
import TestSupport
import Testing

/// The importer against a scripted `ctr`: what it does when another process imports the same
/// image at the same moment.
@Suite("Image importer")
struct ImageImporterTests {
    /// A `ctr` whose import loses a race: the image appears (another importer created it) and the
    /// import itself fails with containerd's `already exists`, or with `failure` if given.
    static func racingCtr(in scratch: TemporaryDirectory, failure: String = #"ctr: image "localhost/x:latest": already exists"#) throws -> HostCommand
    {
        let state = scratch.path
        let script = """
            #!/bin/sh
            case "$*" in
              *"images ls"*)
                echo "REF TYPE DIGEST SIZE PLATFORMS LABELS"
                [ -f '\(state)/present' ] && echo "localhost/x:latest application/vnd.oci.image.manifest.v1+json sha256:abc 1.0 KiB linux/amd64 $(cat '\(state)/labels' 2>/dev/null || echo -)"
                exit 0 ;;
              *"images import"*) touch '\(state)/present'; echo '\(failure)' >&2; exit 1 ;;
              *"images label"*) echo "io.cri-containerd.pinned=pinned" > '\(state)/labels' ;;
            esac
            """
        return HostCommand(executable: try scratch.write("ctr", script, mode: 0o755))
    }

    @Test func anImportRacedByAnotherImporterOfTheSameImageIsVerifiedNotFailed() async throws {
        let scratch = try TemporaryDirectory()
        let socket = try ListeningUnixSocket(path: "\(scratch.path)/ctd.sock")
        let containerd = ContainerdClient(address: socket.path, namespace: "n", ctr: try Self.racingCtr(in: scratch))
        let result = try await ImageImporter(containerd: containerd).ensure(reference: "localhost/x:latest", digest: "sha256:abc", tarball: "x.tar")
        #expect(!result.imported, "the other importer did it")
        #expect(result.pinned)
        // The other importer's image must still be the one we built.
        let mismatch = await #expect(throws: ContainerdError.self) {
            _ = try await ImageImporter(containerd: containerd).ensure(reference: "localhost/x:latest", digest: "sha256:def", tarball: "x.tar")
        }
        #expect(mismatch == .digestMismatch(reference: "localhost/x:latest", expected: "sha256:def", found: "sha256:abc"))
    }

    @Test func anyOtherImportFailureStillFails() async throws {
        let scratch = try TemporaryDirectory()
        let socket = try ListeningUnixSocket(path: "\(scratch.path)/ctd.sock")
        let containerd = ContainerdClient(
            address: socket.path,
            namespace: "n",
            ctr: try Self.racingCtr(in: scratch, failure: "ctr: no space left on device")
        )
        let error = await #expect(throws: ContainerdError.self) {
            _ = try await ImageImporter(containerd: containerd).ensure(reference: "localhost/x:latest", digest: "sha256:abc", tarball: "x.tar")
        }
        #expect(error == .commandFailed(command: "ctr images import", message: "no space left on device"))
    }
}
