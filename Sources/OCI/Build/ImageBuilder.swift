import CharonSupport
import Dispatch
import Glibc
import Logging
import Synchronization

/// Builds an image tarball from an ``ImageSpec``: plan, stream layers, write metadata, and swap the
/// result into place atomically, under a lock shared by every builder of the same output.
///
/// ```swift
/// let spec = try ImageSpec.load(from: "images/tailscale-lifecycle")
/// let result = try ImageBuilder(options: .init(output: "/var/lib/charon-node/tailscale-lifecycle-image.tar"))
///     .build(spec)
/// print(result.manifestDigest, result.outcome)
/// ```
public struct ImageBuilder {
    public struct Options: Sendable {
        /// Where the tarball goes.
        public var output: String
        /// Timestamp for every entry and the config's `created` (`SOURCE_DATE_EPOCH`, or 0).
        public var sourceDateEpoch: Int
        /// Folders searched for bare `executable:` names.
        public var executableSearchPath: [String]
        /// Threads for zstd compression (0: one per core).
        public var compressionThreads: Int
        /// Receives progress while layers are written (a terminal shows it; logs do not need it).
        public var progress: (@Sendable (BuildProgress) -> Void)?
        /// The system whose package records name the image's files in its SBOM (`/`).
        public var packageDatabaseRoot: String

        public init(
            output: String,
            sourceDateEpoch: Int = 0,
            executableSearchPath: [String] = [],
            compressionThreads: Int = 0,
            packageDatabaseRoot: String = "/"
        ) {
            self.output = output
            self.sourceDateEpoch = sourceDateEpoch
            self.executableSearchPath = executableSearchPath
            self.compressionThreads = compressionThreads
            self.packageDatabaseRoot = packageDatabaseRoot
        }
    }

    /// Where the SBOM of the tarball at `output` is written: `<output>.spdx.json`.
    public static func sbomPath(for output: String) -> String { "\(output).spdx.json" }

    /// How far the layer being written is.
    public struct BuildProgress: Sendable {
        public var layer: String
        public var written: Int64
        public var total: Int64
    }

    /// What a build did.
    public enum Outcome: String, Sendable {
        /// A new tarball was written.
        case written
        /// Inputs were unchanged since the last build: nothing was read or written.
        case unchanged
        /// Inputs changed on disk but the image came out byte-identical; the old file was kept.
        case identical
    }

    public struct Result: Sendable {
        public var reference: String
        public var manifestDigest: Digest
        public var output: String
        public var outcome: Outcome
        public var layers: [LayerWriter.Blob]
        /// Size of the tarball at `output`.
        public var size: Int64
    }

    public var options: Options
    public var logger: Logger

    public init(options: Options, logger: Logger = Logger(label: "charon.image")) {
        self.options = options
        self.logger = logger
    }

    public func build(_ spec: ImageSpec) throws -> Result {
        let output = options.output
        let folder = POSIXIO.directoryName(of: output)
        var info = stat()
        guard stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw SystemError(operation: "use output folder", path: folder, code: errno == 0 ? ENOTDIR : errno)
        }

        let lock = try FileLock.acquire("\(output).lock") {
            logger.info("waiting for another build of \(output) to finish")
        }
        defer { lock.release() }
        removeAbandonedTemporaryFiles(of: output)

        let planner = LayerPlanner(baseDirectory: spec.baseDirectory, executableSearchPath: options.executableSearchPath)
        let plans = Self.droppingRepeats(try spec.layers.map { try planner.plan($0) })
        let fingerprint = try fingerprint(of: spec, plans: plans)

        let sbomPath = Self.sbomPath(for: output)
        if let record = BuildRecord.load(for: output), record.matches(output: output, fingerprint: fingerprint),
            record.reference == spec.reference.description, POSIXIO.exists(sbomPath)
        {
            logger.info("unchanged: \(output) already holds \(record.reference) \(record.manifestDigest); nothing written")
            return Result(
                reference: record.reference,
                manifestDigest: record.manifestDigest,
                output: output,
                outcome: .unchanged,
                layers: [],
                size: record.size
            )
        }

        // Only now, with a build due: which package each file comes from, and the records that
        // say so inside the image and beside it.
        let inventory = try ImageInventory(
            spec: spec,
            plans: plans,
            database: try DebianPackageDatabase(root: options.packageDatabaseRoot),
            sourceDateEpoch: options.sourceDateEpoch
        )
        let file = try AtomicFile(destination: output, mode: 0o644)
        let (manifestDigest, blobs) = try writeArchive(spec, plans: try inventory.plansWithRecords(), into: file)

        var outcome = Outcome.written
        if let existing = try? ImageArchiveReader.describe(output), existing.manifestDigest == manifestDigest,
            existing.reference == spec.reference.description
        {
            // Same bytes as what is there already: keep the old file (and its mtime) untouched.
            outcome = .identical
            logger.info("unchanged: rebuilt \(spec.reference) and got the same image \(manifestDigest); kept \(output)")
        } else {
            // Data on disk before the rename; the folder is flushed once below, for both names.
            try file.commit(.dataBeforeRename)
            logger.info("wrote \(output): \(spec.reference) \(manifestDigest), \(file.size) bytes")
        }
        try AtomicFile.write(inventory.documentBytes, to: sbomPath, mode: 0o644, durability: .dataBeforeRename)
        guard let stamp = BuildRecord.stamp(of: output) else { throw SystemError(operation: "stat", path: output) }
        try BuildRecord(
            fingerprint: fingerprint,
            manifestDigest: manifestDigest,
            reference: spec.reference.description,
            size: stamp.size,
            modificationTime: stamp.time
        ).save(for: output)
        // The tarball and the SBOM were renamed with their data flushed and the record without (it
        // is a cache, checked against the tarball's size and mtime): one flush of the folder now
        // makes the new names durable, where a flush per file cost one more journal commit each.
        try POSIXIO.syncDirectory(folder)
        return Result(
            reference: spec.reference.description,
            manifestDigest: manifestDigest,
            output: output,
            outcome: outcome,
            layers: blobs,
            size: stamp.size
        )
    }

    /// Identifies every input of the build: builder version, spec text, timestamp, and each host
    /// file's size, mtime and inode (not its contents: reading them is the cost being avoided).
    private func fingerprint(of spec: ImageSpec, plans: [LayerPlanner.Plan]) throws -> Digest {
        let specText = String(decoding: try POSIXIO.readFile(spec.path), as: UTF8.self)
        var text = "charon-node \(CharonVersion.current)\nepoch \(options.sourceDateEpoch)\n"
        text += "spec \(spec.path)\n\(specText)\n"
        // A package upgraded or removed changes the SBOM even where no file of the image moved.
        text += "packages \(DebianPackageDatabase.stamp(root: options.packageDatabaseRoot))\n"
        for (index, plan) in plans.enumerated() {
            text += "layer \(index)\n" + plan.inputs.joined(separator: "\n") + "\n"
        }
        return Digest.sha256(of: Array(text.utf8))
    }

    private func writeArchive(_ spec: ImageSpec, plans: [LayerPlanner.Plan], into file: AtomicFile) throws -> (Digest, [LayerWriter.Blob]) {
        let archive = ImageArchiveWriter(file: file, modificationTime: options.sourceDateEpoch)
        try archive.addFile("oci-layout", bytes: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        try archive.addDirectory("blobs/")
        try archive.addDirectory("blobs/sha256/")

        let writers = zip(spec.layers, plans).map { layer, plan in
            var writer = LayerWriter(
                compression: spec.compression,
                modificationTime: options.sourceDateEpoch,
                compressionThreads: options.compressionThreads
            )
            writer.compressionLevel = spec.compressionLevel
            if let progress = options.progress {
                let total = plan.entries.reduce(0) { $0 + $1.dataSize }
                writer.progress = { progress(BuildProgress(layer: layer.name, written: $0, total: total)) }
            }
            return writer
        }
        let blobs = try writeLayers(plans, writers: writers, archive: archive, file: file, parallel: spec.compression != .none && plans.count > 1)

        let created = Self.timestamp(options.sourceDateEpoch)
        let configuration = ImageConfiguration(
            created: created,
            platform: spec.platform,
            config: spec.config,
            diffIDs: blobs.map(\.diffID),
            history: spec.layers.map { .init(created: created, createdBy: "charon-node image build (layer \($0.name))", comment: nil) }
        )
        let configBytes = try CanonicalJSON.encode(configuration)
        let configDigest = Digest.sha256(of: configBytes)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.imageConfig, digest: configDigest, size: Int64(configBytes.count)),
            layers: blobs.map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size) }
        )
        let manifestBytes = try CanonicalJSON.encode(manifest)
        let manifestDigest = Digest.sha256(of: manifestBytes)

        try archive.addFile("blobs/sha256/\(configDigest.encoded)", bytes: configBytes)
        try archive.addFile("blobs/sha256/\(manifestDigest.encoded)", bytes: manifestBytes)
        let index = ImageIndex(manifests: [
            Descriptor(
                mediaType: MediaType.imageManifest,
                digest: manifestDigest,
                size: Int64(manifestBytes.count),
                platform: spec.platform,
                annotations: [
                    AnnotationKey.containerdImageName: spec.reference.description,
                    AnnotationKey.refName: spec.reference.tag,
                ]
            )
        ])
        try archive.addFile("index.json", bytes: try CanonicalJSON.encode(index))
        let docker = [
            DockerArchiveManifest(
                config: "blobs/sha256/\(configDigest.encoded)",
                repoTags: [spec.reference.description],
                layers: blobs.map { "blobs/sha256/\($0.digest.encoded)" }
            )
        ]
        try archive.addFile("manifest.json", bytes: try CanonicalJSON.encode(docker))
        try archive.finish()
        return (manifestDigest, blobs)
    }

    /// Streams layer 0 straight into the tarball; when compressing several layers, the others are
    /// compressed at the same time into temporary blobs and appended with an in-kernel copy.
    private func writeLayers(
        _ plans: [LayerPlanner.Plan],
        writers: [LayerWriter],
        archive: ImageArchiveWriter,
        file: AtomicFile,
        parallel: Bool
    ) throws -> [LayerWriter.Blob] {
        // Layers are most of the tarball: their bytes start going to disk while later ones are
        // still being written, so the flush at commit has little left to wait for.
        let writeback = WritebackSink(file: file)
        guard parallel else {
            return try plans.enumerated().map { index, plan in
                let slot = try archive.reserveEntry()
                let blob = try writers[index].write(plan.entries, to: writeback)
                try archive.completeEntry(slot, name: "blobs/sha256/\(blob.digest.encoded)")
                logger.debug("layer \(index): \(blob.digest), \(blob.size) bytes")
                return blob
            }
        }
        let sideFiles = try (1..<plans.count).map { _ in try AtomicFile(destination: options.output, mode: 0o600) }
        let results = Mutex<[Int: Swift.Result<LayerWriter.Blob, any Error>]>([:])
        let slot = try archive.reserveEntry()
        // Blocking writes on Dispatch's worker threads, one layer each (layers are few).
        nonisolated(unsafe) let unsafeSideFiles = sideFiles
        nonisolated(unsafe) let unsafeWriteback = writeback
        DispatchQueue.concurrentPerform(iterations: plans.count) { index in
            let sink: any ByteSink = index == 0 ? unsafeWriteback : unsafeSideFiles[index - 1]
            let outcome = Swift.Result { try writers[index].write(plans[index].entries, to: sink) }
            results.withLock { $0[index] = outcome }
        }
        let blobs = try results.withLock { all in try (0..<plans.count).map { try all[$0]!.get() } }
        try archive.completeEntry(slot, name: "blobs/sha256/\(blobs[0].digest.encoded)")
        for (index, side) in sideFiles.enumerated() {
            try archive.addFile("blobs/sha256/\(blobs[index + 1].digest.encoded)", from: side)
        }
        return blobs
    }

    /// Temporary files left by a build that was killed (a crash cannot run cleanup). Safe to remove
    /// because the caller holds the build lock.
    private func removeAbandonedTemporaryFiles(of output: String) {
        let folder = POSIXIO.directoryName(of: output)
        let prefix = ".\(POSIXIO.baseName(of: output)).tmp-"
        for name in (try? POSIXIO.listDirectory(folder)) ?? [] where name.hasPrefix(prefix) {
            unlink("\(folder)/\(name)")
            logger.info("removed \(folder)/\(name), left by an interrupted build")
        }
    }

    static func timestamp(_ epoch: Int) -> String { RFC3339.format(epochSeconds: epoch) }
}
