import CArchive

/// One 512-byte ustar header, produced by libarchive, for entries whose size is only known after
/// their data has been streamed (the header is written into a reserved slot afterwards).
enum TarHeader {
    static let blockSize = 512

    static func ustar(name: String, size: Int64, isDirectory: Bool, mode: UInt32, modificationTime: Int) throws -> [UInt8] {
        let sink = MemorySink()
        let writer = try LibArchiveWriter(sink: sink) { handle in
            guard archive_write_set_format_ustar(handle) == ARCHIVE_OK else {
                throw LayerWriteError.libarchive("ustar format unavailable")
            }
        }
        defer { writer.abandon() }
        let entry = archive_entry_new()
        defer { archive_entry_free(entry) }
        archive_entry_copy_pathname(entry, name)
        archive_entry_set_filetype(entry, isDirectory ? EntryType.directory : EntryType.regular)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_size(entry, la_int64_t(isDirectory ? 0 : size))
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        try writer.check(archive_write_header(writer.handle, entry), "encode header of \(name)")
        guard sink.bytes.count == blockSize else {
            throw LayerWriteError.libarchive("header of \(name) is \(sink.bytes.count) bytes, expected one block")
        }
        return sink.bytes
    }

    /// Zero bytes that pad `size` up to a whole block.
    static func padding(for size: Int64) -> [UInt8] {
        let remainder = Int(size % Int64(blockSize))
        return remainder == 0 ? [] : [UInt8](repeating: 0, count: blockSize - remainder)
    }
}
