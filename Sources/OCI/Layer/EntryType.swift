/// File-type bits as libarchive expects them (`AE_IFREG` and friends are C macros Swift cannot import).
enum EntryType {
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
}
