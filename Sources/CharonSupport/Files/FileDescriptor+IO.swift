import Glibc

/// Low-level helpers that retry on `EINTR` and finish short writes, shared by every writer.
///
/// ```swift
/// let bytes = try POSIXIO.readFile("/etc/hostname")
/// try POSIXIO.makeDirectories(POSIXIO.directoryName(of: "/var/lib/charon-node/image.tar"))  // /var/lib/charon-node
/// POSIXIO.baseName(of: "/var/lib/charon-node/image.tar")  // "image.tar"
/// ```
public enum POSIXIO {
    /// Writes all of `buffer` to `fd`, or throws naming `path`.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "write", path: path)
            }
            offset += written
        }
    }

    /// Writes all of `buffer` at `position` without moving the file offset.
    public static func writeAll(
        _ fd: Int32,
        _ buffer: UnsafeRawBufferPointer,
        at position: Int64,
        path: String
    ) throws {
        var offset = 0
        while offset < buffer.count {
            let written = pwrite(fd, buffer.baseAddress! + offset, buffer.count - offset, off_t(position) + off_t(offset))
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "write", path: path)
            }
            offset += written
        }
    }

    /// Reads up to `buffer.count` bytes; returns 0 at end of file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw SystemError(operation: "read", path: path)
        }
    }

    /// Reads a whole (small) file into memory.
    public static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(fd, into: $0, path: path) }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Flushes a folder's entries to disk (`fsync` of the folder): after a rename, this is what
    /// makes the new name survive a crash.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open folder", path: path) }
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw SystemError(operation: "flush folder", path: path) }
        }
    }

    /// Whether anything (file, folder, link) exists at `path`, without following a final symlink.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The folder part of a path ("." when there is none).
    public static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a path.
    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Names in a folder, without `.` and `..`, sorted.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw SystemError(operation: "open folder", path: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates `path` and its missing parents with `mode`, like `mkdir -p`.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw SystemError(operation: "create folder", path: path, code: ENOTDIR)
            }
            return
        }
        let parent = directoryName(of: path)
        if parent != path && parent != "." && parent != "/" { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw SystemError(operation: "create folder", path: path)
        }
    }
}
