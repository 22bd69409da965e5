import CArchive
import CharonSupport

/// Appends to an ``AtomicFile`` and asks the kernel to start writing each `interval` bytes to disk
/// as soon as they are written (`sync_file_range(SYNC_FILE_RANGE_WRITE)`, which does not wait).
///
/// Without it a freshly written tarball is all dirty page cache when ``AtomicFile/commit(_:)``
/// flushes it, and the build sits idle while the whole file goes to disk. With it the disk writes
/// the first megabytes while later ones are still being tarred and hashed, and the closing
/// `fdatasync` waits only for the tail. Durability is unchanged: the flush before the rename is
/// still what makes the data safe; this only starts it earlier.
///
/// ```swift
/// let sink = WritebackSink(file: file)
/// let blob = try LayerWriter(compression: .none, modificationTime: 0).write(entries, to: sink)
/// try file.commit()   // fdatasync finds little left to write
/// ```
final class WritebackSink: ByteSink {
    let file: AtomicFile
    /// Bytes between two writeback requests.
    let interval: Int64
    /// Everything before this offset has been handed to the kernel's writeback.
    private var startedUpTo: Int64

    init(file: AtomicFile, interval: Int64 = 4 << 20) {
        self.file = file
        self.interval = interval
        self.startedUpTo = file.size & ~Self.pageMask
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try file.write(bytes)
        if file.size - startedUpTo >= interval { startWriteback() }
    }

    /// Starts writeback of the whole pages written since the last call. The partial page at the
    /// end is left for next time, so no page is written twice. Only a hint: an error (a file
    /// system without it) is ignored, and the flush at commit does the work instead.
    func startWriteback() {
        let end = file.size & ~Self.pageMask
        guard end > startedUpTo else { return }
        _ = charon_start_writeback(file.descriptor, startedUpTo, end - startedUpTo)
        startedUpTo = end
    }

    private static let pageMask: Int64 = 4095
}
