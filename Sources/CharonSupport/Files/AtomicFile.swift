import Glibc

/// A file written under a temporary name in its destination folder and renamed into place.
///
/// Readers see the old file or the complete new one, never a half-written one: the data is
/// flushed before the rename, and the folder after it, so a crash leaves one or the other.
/// Dropping the value without ``commit(_:)`` removes the temporary file.
///
/// ```swift
/// let file = try AtomicFile(destination: "/tailscale-auth/authkey", mode: 0o600)
/// try file.write(Array(key.utf8))
/// try file.commit()
/// ```
public final class AtomicFile {
    /// Where the file ends up.
    public let destination: String
    /// The temporary file, in the same folder so that `rename` is atomic.
    public let temporaryPath: String
    /// Open descriptor of the temporary file.
    public let descriptor: Int32
    /// Bytes written so far with ``write(_:)``, i.e. the current end of the file.
    public private(set) var size: Int64 = 0
    private var committed = false

    /// Creates the temporary file with `mode` (applied with `fchmod`, so the umask cannot widen it).
    public init(destination: String, mode: mode_t = 0o644) throws {
        self.destination = destination
        // Beside the destination: rename(2) is atomic only within one filesystem.
        let (fd, path) = try TemporaryFiles.makeFile(
            prefix: ".\(POSIXIO.baseName(of: destination)).tmp-",
            in: POSIXIO.directoryName(of: destination)
        )
        descriptor = fd
        temporaryPath = path
        if fchmod(fd, mode) != 0 {
            let error = SystemError(operation: "set the mode of", path: temporaryPath)
            close(fd)
            unlink(temporaryPath)
            throw error
        }
    }

    deinit {
        if !committed {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends bytes at the end of the file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try POSIXIO.writeAll(descriptor, bytes, path: destination)
        size += Int64(bytes.count)
    }

    /// Appends bytes at the end of the file.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Overwrites bytes already written, at `position` (used to back-fill headers).
    public func write(_ bytes: [UInt8], at position: Int64) throws {
        try bytes.withUnsafeBytes { try POSIXIO.writeAll(descriptor, $0, at: position, path: destination) }
    }

    /// Records that `count` bytes were appended directly to ``descriptor`` by someone else.
    public func didAppend(_ count: Int64) {
        size += count
    }

    /// How much of a commit must be on disk before ``commit(_:)`` returns.
    public enum Durability: Sendable {
        /// The data is flushed before the rename and the folder after it: once `commit` returns,
        /// a crash leaves the new file, complete.
        case durable
        /// The data is flushed before the rename; the folder is not. A crash leaves the old file or
        /// the complete new one. The caller makes the name durable later with
        /// ``POSIXIO/syncDirectory(_:)`` (one flush of the folder for several commits).
        case dataBeforeRename
        /// Only the rename: a crash may leave the old file, the new one, or (on some file systems) a
        /// truncated new one. For caches whose readers check what they read.
        case renameOnly
    }

    /// Flushes the data to disk (`fdatasync`), renames the file into place, then fsyncs the folder
    /// (with the default ``Durability/durable``).
    ///
    /// `fdatasync` is enough for the data: the file is new, so its size and blocks (all that
    /// reading it back needs) changed and are flushed with it; what `fsync` adds is timestamps.
    /// What makes the new name durable is the folder's fsync after the rename. (Measured on the
    /// 37 MB lifecycle tarball: no difference between the two; see docs/benchmarks.md.)
    public func commit(_ durability: Durability = .durable) throws {
        if durability != .renameOnly, fdatasync(descriptor) != 0 {
            throw SystemError(operation: "flush", path: destination)
        }
        if close(descriptor) != 0 {
            committed = true
            unlink(temporaryPath)
            throw SystemError(operation: "close", path: destination)
        }
        committed = true
        if rename(temporaryPath, destination) != 0 {
            let error = SystemError(operation: "rename into place", path: destination)
            unlink(temporaryPath)
            throw error
        }
        if durability == .durable {
            try? POSIXIO.syncDirectory(POSIXIO.directoryName(of: destination))
        }
    }

    /// Writes `bytes` to `destination` atomically in one call.
    public static func write(_ bytes: [UInt8], to destination: String, mode: mode_t = 0o644, durability: Durability = .durable) throws {
        let file = try AtomicFile(destination: destination, mode: mode)
        try file.write(bytes)
        try file.commit(durability)
    }
}
