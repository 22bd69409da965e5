import CharonSupport
import Dispatch
import Glibc
import HostCommand
import OCI
import TestSupport
import Testing

@Suite("Image builder")
struct ImageBuilderTests {
    static let specText = """
        reference: localhost/demo:1
        compression: none
        config:
          entrypoint: [/bin/hello]
        layers:
          - name: files
            contents:
              - file: hello.txt
                destination: /srv/hello.txt
              - mkdir: /tmp
                mode: "1777"
          - name: more
            contents:
              - content: second
                destination: /srv/second.txt
        """

    static func makeSpec(in scratch: TemporaryDirectory, text: String = specText) throws -> ImageSpec {
        try scratch.write("spec/hello.txt", "hello\n")
        try scratch.write("spec/image.yaml", text)
        return try ImageSpec.load(from: "\(scratch.path)/spec")
    }

    static func modificationTime(_ path: String) -> String {
        var info = stat()
        stat(path, &info)
        return "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    static func leftovers(in folder: String) -> [String] {
        ((try? POSIXIO.listDirectory(folder)) ?? []).filter { $0.contains(".tmp-") }
    }

    @Test func writesAnOCILayoutWithDockerManifest() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(in: scratch)
        let output = "\(scratch.path)/image.tar"
        let result = try ImageBuilder(options: .init(output: output)).build(spec)
        #expect(result.outcome == .written)
        #expect(result.layers.count == 2)

        let entries = try TarListing.entries(of: output)
        let names = entries.map(\.path)
        #expect(names.first == "oci-layout")
        #expect(names.contains("index.json") && names.contains("manifest.json"))
        let files = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0.data) })
        #expect(String(decoding: files["oci-layout"]!, as: UTF8.self) == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try CanonicalJSON.decode(ImageIndex.self, from: files["index.json"]!)
        #expect(index.manifests.count == 1)
        #expect(index.manifests[0].digest == result.manifestDigest)
        #expect(index.manifests[0].annotations?["io.containerd.image.name"] == "localhost/demo:1")
        #expect(index.manifests[0].annotations?["org.opencontainers.image.ref.name"] == "1")

        // Every blob is stored under its own digest.
        for entry in entries where entry.path.hasPrefix("blobs/sha256/") && !entry.isDirectory {
            #expect(Digest.sha256(of: entry.data).encoded == String(entry.path.dropFirst("blobs/sha256/".count)))
        }
        let manifest = try CanonicalJSON.decode(ImageManifest.self, from: files["blobs/sha256/\(result.manifestDigest.encoded)"]!)
        #expect(manifest.layers.map(\.digest) == result.layers.map(\.digest))
        let config = try CanonicalJSON.decode(ImageConfiguration.self, from: files["blobs/sha256/\(manifest.config.digest.encoded)"]!)
        #expect(config.rootfs.diffIDs == result.layers.map(\.diffID))
        #expect(config.config.entrypoint == ["/bin/hello"])
        #expect(config.config.user == "65532:65532")
        #expect(config.created == "1970-01-01T00:00:00Z")

        let docker = try CanonicalJSON.decode([DockerArchiveManifest].self, from: files["manifest.json"]!)
        #expect(docker[0].repoTags == ["localhost/demo:1"])
        #expect(docker[0].config == "blobs/sha256/\(manifest.config.digest.encoded)")
        #expect(try ImageArchiveReader.describe(output) == .init(reference: "localhost/demo:1", manifestDigest: result.manifestDigest))
    }

    @Test func manifestDigestMatchesSha256sum() async throws {
        let scratch = try TemporaryDirectory()
        let output = "\(scratch.path)/image.tar"
        let result = try ImageBuilder(options: .init(output: output)).build(try Self.makeSpec(in: scratch))
        try POSIXIO.makeDirectories("\(scratch.path)/x")
        try await HostCommand(executable: "tar").check(["-xf", output, "-C", "\(scratch.path)/x"])
        let sum = try await HostCommand(executable: "sha256sum").check(["\(scratch.path)/x/blobs/sha256/\(result.manifestDigest.encoded)"])
        #expect(sum.hasPrefix(result.manifestDigest.encoded))
    }

    @Test func reproducibleAcrossOutputsAndEpochs() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(in: scratch)
        let one = try ImageBuilder(options: .init(output: "\(scratch.path)/one.tar")).build(spec)
        let two = try ImageBuilder(options: .init(output: "\(scratch.path)/two.tar")).build(spec)
        #expect(one.manifestDigest == two.manifestDigest)
        #expect(try POSIXIO.readFile("\(scratch.path)/one.tar") == POSIXIO.readFile("\(scratch.path)/two.tar"))
        let later = try ImageBuilder(options: .init(output: "\(scratch.path)/three.tar", sourceDateEpoch: 1_700_000_000)).build(spec)
        #expect(later.manifestDigest != one.manifestDigest)
    }

    @Test func unchangedInputsRewriteNothing() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(in: scratch)
        let output = "\(scratch.path)/image.tar"
        let builder = ImageBuilder(options: .init(output: output))
        let first = try builder.build(spec)
        let stamp = Self.modificationTime(output)

        let second = try builder.build(spec)
        #expect(second.outcome == .unchanged)
        #expect(second.manifestDigest == first.manifestDigest)
        #expect(Self.modificationTime(output) == stamp)

        // An input touched but not changed: rebuilt, found identical, old file kept as it was.
        #expect(utimes("\(scratch.path)/spec/hello.txt", nil) == 0)
        let third = try builder.build(spec)
        #expect(third.outcome == .identical)
        #expect(Self.modificationTime(output) == stamp)

        // A real change: a new file replaces the old one.
        try scratch.write("spec/hello.txt", "changed\n")
        let fourth = try builder.build(spec)
        #expect(fourth.outcome == .written)
        #expect(fourth.manifestDigest != first.manifestDigest)
        #expect(Self.leftovers(in: scratch.path).isEmpty)
    }

    @Test func aFileRewrittenWithItsOldSizeAndMtimeIsNoticed() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(in: scratch)
        let output = "\(scratch.path)/image.tar"
        let builder = ImageBuilder(options: .init(output: output))
        let first = try builder.build(spec)
        let input = "\(scratch.path)/spec/hello.txt"
        var before = stat()
        #expect(stat(input, &before) == 0)

        // Rewritten in place, same size, same inode, and the old mtime put back: only ctime moves.
        let descriptor = open(input, O_WRONLY | O_TRUNC)
        #expect(descriptor >= 0)
        #expect(write(descriptor, "HELLO\n", 6) == 6)
        close(descriptor)
        var after = stat()
        repeat {
            // The kernel stamps ctime with a coarse clock: repeat until it differs from before.
            var times = [before.st_atim, before.st_mtim]
            #expect(utimensat(AT_FDCWD, input, &times, 0) == 0)
            #expect(stat(input, &after) == 0)
            if after.st_ctim.tv_sec == before.st_ctim.tv_sec && after.st_ctim.tv_nsec == before.st_ctim.tv_nsec { usleep(5_000) }
        } while after.st_ctim.tv_sec == before.st_ctim.tv_sec && after.st_ctim.tv_nsec == before.st_ctim.tv_nsec
        #expect(after.st_size == before.st_size && after.st_ino == before.st_ino)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)

        let second = try builder.build(spec)
        #expect(second.outcome == .written, "size, mtime and inode alike, but the content changed")
        #expect(second.manifestDigest != first.manifestDigest)
    }

    @Test func theLockFileIsNeverOpenedThroughASymlinkNorInherited() async throws {
        let scratch = try TemporaryDirectory()
        // A link planted at the lock path, pointing where the builder must not create or lock a file.
        let target = "\(scratch.path)/elsewhere"
        #expect(symlink(target, "\(scratch.path)/image.tar.lock") == 0)
        #expect(throws: SystemError.self) { try FileLock.acquire("\(scratch.path)/image.tar.lock") }
        #expect(throws: SystemError.self) { try FileLock.tryAcquire("\(scratch.path)/image.tar.lock") }
        #expect(!POSIXIO.exists(target))
        #expect(throws: SystemError.self) {
            _ = try ImageBuilder(options: .init(output: "\(scratch.path)/image.tar")).build(try Self.makeSpec(in: scratch))
        }

        // A program started while the lock is held does not get its descriptor.
        let lockPath = "\(scratch.path)/held.lock"
        let lock = try FileLock.acquire(lockPath)
        let descriptors = try await HostCommand(executable: "/bin/sh").check(["-c", "ls -l /proc/self/fd/"])
        #expect(!descriptors.contains(lockPath), "\(descriptors)")
        lock.release()
    }

    @Test func failedBuildLeavesThePreviousTarballUntouched() throws {
        let scratch = try TemporaryDirectory()
        let output = "\(scratch.path)/image.tar"
        _ = try ImageBuilder(options: .init(output: output)).build(try Self.makeSpec(in: scratch))
        let before = try POSIXIO.readFile(output)

        let broken = Self.specText.replacingOccurrences(of: "file: hello.txt", with: "file: missing.txt")
        try scratch.write("spec/image.yaml", broken)
        let spec = try ImageSpec.load(from: "\(scratch.path)/spec")
        #expect(throws: ImageSpecError.self) { try ImageBuilder(options: .init(output: output)).build(spec) }
        #expect(try POSIXIO.readFile(output) == before)
        #expect(Self.leftovers(in: scratch.path).isEmpty)
    }

    @Test func compressedLayersAreBuiltInParallelAndDigestsHold() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(in: scratch, text: Self.specText.replacingOccurrences(of: "compression: none", with: "compression: zstd"))
        let output = "\(scratch.path)/image.tar"
        let result = try ImageBuilder(options: .init(output: output)).build(spec)
        let entries = try TarListing.entries(of: output)
        for layer in result.layers {
            #expect(layer.mediaType == "application/vnd.oci.image.layer.v1.tar+zstd")
            let blob = try #require(entries.first { $0.path == "blobs/sha256/\(layer.digest.encoded)" })
            #expect(Int64(blob.data.count) == layer.size)
            #expect(Digest.sha256(of: blob.data) == layer.digest)
        }
        #expect(Self.leftovers(in: scratch.path).isEmpty)
    }

    @Test func aFileALowerLayerHoldsIsWrittenOnce() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(
            in: scratch,
            text: """
                reference: localhost/demo:1
                layers:
                  - name: base
                    contents:
                      - file: hello.txt
                        destination: /srv/hello.txt
                      - content: lower
                        destination: /srv/changed.txt
                  - name: top
                    contents:
                      - file: hello.txt
                        destination: /srv/hello.txt
                      - content: upper
                        destination: /srv/changed.txt
                      - file: hello.txt
                        destination: /srv/hello.txt.mode
                        mode: "0600"
                """
        )
        let output = "\(scratch.path)/image.tar"
        let result = try ImageBuilder(options: .init(output: output)).build(spec)
        let blobs = Dictionary(uniqueKeysWithValues: try TarListing.entries(of: output).map { ($0.path, $0.data) })
        func files(ofLayer index: Int) throws -> [String: [UInt8]] {
            let path = "\(scratch.path)/layer-\(index).tar"
            try AtomicFile.write(try #require(blobs["blobs/sha256/\(result.layers[index].digest.encoded)"]), to: path)
            return Dictionary(uniqueKeysWithValues: try TarListing.entries(of: path).filter { !$0.isDirectory }.map { ($0.path, $0.data) })
        }
        let base = try files(ofLayer: 0)
        let top = try files(ofLayer: 1)
        #expect(base["srv/hello.txt"] == Array("hello\n".utf8))
        #expect(base["srv/changed.txt"] == Array("lower".utf8))
        #expect(top["srv/hello.txt"] == nil, "the same file from the same source: the lower copy serves")
        #expect(top["srv/changed.txt"] == Array("upper".utf8), "a different content at the same path stays")
        #expect(top["srv/hello.txt.mode"] == Array("hello\n".utf8))
    }

    @Test func concurrentBuildsAreSerializedByTheLock() async throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.makeSpec(in: scratch)
        let output = "\(scratch.path)/image.tar"
        let lock = try FileLock.acquire("\(output).lock")
        let finished = LockedFlag()
        let build = Task.detached {
            let result = try ImageBuilder(options: .init(output: output)).build(spec)
            finished.set()
            return result
        }
        try await LockWaiters.waitForOne(on: "\(output).lock")
        #expect(!finished.value, "the build ran while another holder had the lock")
        #expect(!POSIXIO.exists(output))
        lock.release()
        let result = try await build.value
        #expect(result.outcome == .written)
        #expect(try FileLock.tryAcquire("\(output).lock") != nil, "the build released its lock")
    }

    @Test func staleTemporaryFilesFromACrashAreRemoved() throws {
        let scratch = try TemporaryDirectory()
        let output = "\(scratch.path)/image.tar"
        try scratch.write(".image.tar.tmp-ABC123", "half a tarball")
        _ = try ImageBuilder(options: .init(output: output)).build(try Self.makeSpec(in: scratch))
        #expect(Self.leftovers(in: scratch.path).isEmpty)
    }
}

/// A thread-safe boolean for cross-task signalling in tests.
final class LockedFlag: @unchecked Sendable {
    private var flag = false
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func set() {
        pthread_mutex_lock(&mutex)
        flag = true
        pthread_mutex_unlock(&mutex)
    }
    var value: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return flag
    }
}
