import CArchive
import CharonSupport

/// An entry as read back from a tar (or a compressed tar), independent of how it was written.
struct ListedEntry: Equatable {
    var path: String
    var type: UInt32
    var mode: UInt32
    var uid: Int64
    var gid: Int64
    var mtime: Int
    var size: Int64
    var symlink: String?
    var hardlink: String?
    var userName: String?
    var data: [UInt8]

    var isDirectory: Bool { type == 0o040000 }
    var isSymlink: Bool { type == 0o120000 }
}

enum TarListing {
    /// Reads every entry of a tar file (any compression libarchive knows), with file contents.
    static func entries(of path: String) throws -> [ListedEntry] {
        let handle = archive_read_new()
        defer { archive_read_free(handle) }
        archive_read_support_format_tar(handle)
        archive_read_support_filter_all(handle)
        guard archive_read_open_filename(handle, path, 65536) == ARCHIVE_OK else {
            throw SystemError(operation: "open tar", path: path, code: 5)
        }
        var result: [ListedEntry] = []
        var entry: OpaquePointer?
        while archive_read_next_header(handle, &entry) == ARCHIVE_OK, let entry {
            let size = archive_entry_size(entry)
            var data = [UInt8](repeating: 0, count: Int(size))
            if size > 0 {
                _ = data.withUnsafeMutableBytes { archive_read_data(handle, $0.baseAddress, Int(size)) }
            }
            result.append(
                ListedEntry(
                    path: String(cString: archive_entry_pathname(entry)),
                    type: UInt32(archive_entry_filetype(entry)),
                    mode: UInt32(archive_entry_perm(entry)),
                    uid: archive_entry_uid(entry),
                    gid: archive_entry_gid(entry),
                    mtime: Int(archive_entry_mtime(entry)),
                    size: size,
                    symlink: archive_entry_symlink(entry).map { String(cString: $0) },
                    hardlink: archive_entry_hardlink(entry).map { String(cString: $0) },
                    userName: archive_entry_uname(entry).map { String(cString: $0) },
                    data: data
                )
            )
        }
        return result
    }
}
