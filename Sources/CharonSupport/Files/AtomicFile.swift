import Glibc

/// A file written under a temporary name in its destination folder and renamed into place.
///
/// Readers see the old file or the complete new one, never a half-written one: the data is
/// fsynced before the rename, and the folder after it, so a crash leaves one or the other.
/// Dropping the value without ``commit()`` removes the temporary file.
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
        let folder = POSIXIO.directoryName(of: destination)
        var template = Array("\(folder)/.\(POSIXIO.baseName(of: destination)).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SystemError(operation: "create a temporary file in", path: folder)
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        descriptor = fd
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
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

    /// Flushes the data to disk and renames the file into place; then fsyncs the folder.
    public func commit() throws {
        if fsync(descriptor) != 0 { throw SystemError(operation: "flush", path: destination) }
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
        let folder = POSIXIO.directoryName(of: destination)
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }

    /// Writes `bytes` to `destination` atomically in one call.
    public static func write(_ bytes: [UInt8], to destination: String, mode: mode_t = 0o644) throws {
        let file = try AtomicFile(destination: destination, mode: mode)
        try file.write(bytes)
        try file.commit()
    }
}
