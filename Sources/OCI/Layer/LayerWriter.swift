import CArchive
import CharonSupport
import Glibc

/// Streams planned entries into one layer blob in a single pass:
/// files → tar (libarchive) → [compressor (libarchive filter)] → sink, hashing the tar stream
/// (diff_id) and the blob stream (digest) on the way. Memory stays at one read buffer however
/// large the layer is.
///
/// ```swift
/// let blob = try LayerWriter(compression: .none, modificationTime: 0)
///     .write(plan.entries, to: outputFile)
/// blob.diffID  // sha256 of the tar
/// ```
public struct LayerWriter: Sendable {
    /// What one written layer is, for the manifest and the config.
    public struct Blob: Sendable, Hashable {
        public var diffID: Digest
        public var digest: Digest
        public var size: Int64
        public var uncompressedSize: Int64
        public var mediaType: String
    }

    public var compression: LayerCompression
    /// Seconds since the epoch stamped on every entry (`SOURCE_DATE_EPOCH`, or 0).
    public var modificationTime: Int
    /// Threads for zstd; 0 lets the library decide.
    public var compressionThreads: Int
    /// The gzip or zstd level; nil: libarchive's default (gzip 6, zstd 3).
    public var compressionLevel: Int?
    /// Size of the read buffer.
    public var bufferSize = 1 << 20
    /// Called with the file bytes written so far, about once per buffer (for progress display).
    public var progress: (@Sendable (Int64) -> Void)?

    public init(compression: LayerCompression, modificationTime: Int, compressionThreads: Int = 0) {
        self.compression = compression
        self.modificationTime = modificationTime
        self.compressionThreads = compressionThreads
    }

    public func write(_ entries: [LayerEntry], to sink: any ByteSink) throws -> Blob {
        // This thread reads files, tars and hashes the tar (diff_id); the pipeline's worker
        // compresses, hashes the blob and writes. Uncompressed, the blob is the tar: one hash.
        let blobHash = HashingSink(next: sink)
        var compressor: LibArchiveWriter?
        let pipeline: PipelinedSink
        if compression == .none {
            pipeline = PipelinedSink(next: sink)
        } else {
            let filter = try makeCompressor(into: blobHash)
            compressor = filter
            pipeline = PipelinedSink(next: CompressorSink(writer: filter))
        }
        let tarHash = HashingSink(next: pipeline)
        let tar = try LibArchiveWriter(sink: tarHash) { handle in
            // pax_restricted writes plain ustar headers and adds pax records only when a value does
            // not fit (long paths, large ids), which keeps the bytes stable and readable everywhere.
            guard archive_write_set_format_pax_restricted(handle) == ARCHIVE_OK else {
                throw LayerWriteError.libarchive("pax format unavailable")
            }
        }
        do {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 4096)
            defer { buffer.deallocate() }
            var written: Int64 = 0
            for entry in entries {
                try writeEntry(entry, into: tar, buffer: buffer) {
                    written += $0
                    progress?(written)
                }
            }
            try tar.close()
            try pipeline.finish()
            try compressor?.close()
        } catch {
            tar.abandon()
            try? pipeline.finish()
            compressor?.abandon()
            throw error
        }
        let diffID = tarHash.hasher.finalize()
        let blob = compression == .none ? tarHash.hasher : blobHash.hasher
        return Blob(
            diffID: diffID,
            digest: compression == .none ? diffID : blob.finalize(),
            size: blob.count,
            uncompressedSize: tarHash.hasher.count,
            mediaType: compression.mediaType
        )
    }

    private func makeCompressor(into sink: any ByteSink) throws -> LibArchiveWriter {
        let writer = try LibArchiveWriter(sink: sink) { handle in
            // The raw format writes one entry's data unframed, so the filter output is exactly a
            // gzip or zstd stream of the tar.
            guard archive_write_set_format_raw(handle) == ARCHIVE_OK else {
                throw LayerWriteError.libarchive("raw format unavailable")
            }
            switch compression {
            case .gzip:
                guard archive_write_add_filter_gzip(handle) == ARCHIVE_OK else { throw LayerWriteError.libarchive("gzip unavailable") }
                // No timestamp in the gzip header: the same tar must give the same blob.
                _ = archive_write_set_filter_option(handle, "gzip", "timestamp", nil)
                if let level = compressionLevel {
                    guard archive_write_set_filter_option(handle, "gzip", "compression-level", "\(level)") == ARCHIVE_OK else {
                        throw LayerWriteError.libarchive("gzip level \(level) refused")
                    }
                }
            case .zstd:
                guard archive_write_add_filter_zstd(handle) == ARCHIVE_OK else { throw LayerWriteError.libarchive("zstd unavailable") }
                let threads = compressionThreads > 0 ? compressionThreads : Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
                _ = archive_write_set_filter_option(handle, "zstd", "threads", "\(threads)")
                if let level = compressionLevel {
                    guard archive_write_set_filter_option(handle, "zstd", "compression-level", "\(level)") == ARCHIVE_OK else {
                        throw LayerWriteError.libarchive("zstd level \(level) refused")
                    }
                }
            case .none:
                break
            }
        }
        let entry = archive_entry_new()
        defer { archive_entry_free(entry) }
        archive_entry_set_filetype(entry, EntryType.regular)
        archive_entry_copy_pathname(entry, "layer.tar")
        try writer.check(archive_write_header(writer.handle, entry), "start compressed stream")
        return writer
    }

    private func writeEntry(
        _ entry: LayerEntry,
        into tar: LibArchiveWriter,
        buffer: UnsafeMutableRawBufferPointer,
        advanced: (Int64) -> Void
    ) throws {
        let header = archive_entry_new()
        defer { archive_entry_free(header) }
        archive_entry_copy_pathname(header, entry.path)
        archive_entry_set_perm(header, mode_t(entry.mode))
        archive_entry_set_uid(header, la_int64_t(entry.owner.uid))
        archive_entry_set_gid(header, la_int64_t(entry.owner.gid))
        archive_entry_set_mtime(header, time_t(modificationTime), 0)
        switch entry.kind {
        case .directory:
            archive_entry_set_filetype(header, EntryType.directory)
            archive_entry_set_size(header, 0)
        case .symlink(let target):
            archive_entry_set_filetype(header, EntryType.symlink)
            archive_entry_copy_symlink(header, target)
            archive_entry_set_size(header, 0)
        case .hardLink(let target):
            archive_entry_set_filetype(header, EntryType.regular)
            archive_entry_copy_hardlink(header, target)
            archive_entry_set_size(header, 0)
        case .bytes(let bytes):
            archive_entry_set_filetype(header, EntryType.regular)
            archive_entry_set_size(header, la_int64_t(bytes.count))
        case .hostFile(_, let size):
            archive_entry_set_filetype(header, EntryType.regular)
            archive_entry_set_size(header, la_int64_t(size))
        }
        try tar.check(archive_write_header(tar.handle, header), "write header of \(entry.path)")
        switch entry.kind {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { try tar.writeData($0) }
        case .hostFile(let path, let size):
            try copyFile(path, expectedSize: size, into: tar, buffer: buffer, advanced: advanced)
        default:
            break
        }
        try tar.check(archive_write_finish_entry(tar.handle), "finish \(entry.path)")
    }

    private func copyFile(
        _ path: String,
        expectedSize: Int64,
        into tar: LibArchiveWriter,
        buffer: UnsafeMutableRawBufferPointer,
        advanced: (Int64) -> Void
    ) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path) }
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        var remaining = expectedSize
        while true {
            let count = try POSIXIO.read(fd, into: buffer, path: path)
            if count == 0 { break }
            guard Int64(count) <= remaining else { throw LayerWriteError.sourceChanged(path: path) }
            try tar.writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            remaining -= Int64(count)
            advanced(Int64(count))
        }
        guard remaining == 0 else { throw LayerWriteError.sourceChanged(path: path) }
    }
}

/// Adapts the compressor's libarchive handle to a sink, so the tar stage can feed it.
///
/// It stays in this file, private: it exists only inside ``LayerWriter``'s pipeline.
private final class CompressorSink: ByteSink {
    let writer: LibArchiveWriter
    init(writer: LibArchiveWriter) { self.writer = writer }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try writer.writeData(bytes)
    }
}
