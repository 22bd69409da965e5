import CArchive
import CharonSupport
import Glibc

/// Writes the outer image tarball (OCI layout + Docker `manifest.json`) into an ``AtomicFile``.
///
/// Layer blobs are streamed straight into the tarball: a header slot is reserved, the layer is
/// written behind it, and the header (whose name is the digest, known only at the end) is filled
/// in afterwards. So a layer is written once, not once to a temporary blob and again into the tar.
///
/// ```swift
/// let archive = ImageArchiveWriter(file: file, modificationTime: 0)
/// try archive.addFile("oci-layout", bytes: layout)
/// let slot = try archive.reserveEntry()
/// let blob = try LayerWriter(...).write(entries, to: file)
/// try archive.completeEntry(slot, name: "blobs/sha256/\(blob.digest.encoded)")
/// try archive.finish()
/// ```
public final class ImageArchiveWriter {
    let file: AtomicFile
    let modificationTime: Int

    /// A header slot waiting for its entry's name and size.
    public struct Slot {
        let headerOffset: Int64
    }

    public init(file: AtomicFile, modificationTime: Int) {
        self.file = file
        self.modificationTime = modificationTime
    }

    public func addDirectory(_ name: String) throws {
        try file.write(try TarHeader.ustar(name: name, size: 0, isDirectory: true, mode: 0o755, modificationTime: modificationTime))
    }

    public func addFile(_ name: String, bytes: [UInt8]) throws {
        try file.write(try TarHeader.ustar(name: name, size: Int64(bytes.count), isDirectory: false, mode: 0o644, modificationTime: modificationTime))
        try file.write(bytes)
        try file.write(TarHeader.padding(for: Int64(bytes.count)))
    }

    /// Reserves a header block; the caller then writes the entry's data to ``file`` directly.
    public func reserveEntry() throws -> Slot {
        let slot = Slot(headerOffset: file.size)
        try file.write([UInt8](repeating: 0, count: TarHeader.blockSize))
        return slot
    }

    /// Pads the data written since `slot` and fills in its header.
    public func completeEntry(_ slot: Slot, name: String) throws {
        let size = file.size - slot.headerOffset - Int64(TarHeader.blockSize)
        try file.write(TarHeader.padding(for: size))
        try file.write(
            try TarHeader.ustar(name: name, size: size, isDirectory: false, mode: 0o644, modificationTime: modificationTime),
            at: slot.headerOffset
        )
    }

    /// Appends a blob held in another file, copied inside the kernel (`copy_file_range`).
    public func addFile(_ name: String, from source: AtomicFile) throws {
        let size = source.size
        try file.write(try TarHeader.ustar(name: name, size: size, isDirectory: false, mode: 0o644, modificationTime: modificationTime))
        var inputOffset: Int64 = 0
        while inputOffset < size {
            var offset = Int64(inputOffset)
            let copied = charon_copy_file_range(source.descriptor, &offset, file.descriptor, nil, Int(size - inputOffset))
            if copied < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "copy a layer into", path: file.destination)
            }
            if copied == 0 { throw SystemError(operation: "copy a layer into", path: file.destination, code: EIO) }
            inputOffset += Int64(copied)
            file.didAppend(Int64(copied))
        }
        try file.write(TarHeader.padding(for: size))
    }

    /// Writes the end-of-archive marker (two zero blocks).
    public func finish() throws {
        try file.write([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
    }
}
