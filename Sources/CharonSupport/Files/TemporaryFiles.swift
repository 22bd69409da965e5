import Glibc

/// Private temporary files and folders (`mkstemps`, `mkdtemp`: mode 0600 / 0700, unique names)
/// under `$TMPDIR` or `/tmp`, and their removal.
///
/// ```swift
/// let folder = try TemporaryFiles.makeFolder(prefix: "charon-nginx")
/// defer { TemporaryFiles.removeTree(folder) }
/// ```
public enum TemporaryFiles {
    /// `$TMPDIR` when set and not empty, else `/tmp`.
    public static var folder: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// Creates `<base>/<prefix>-XXXXXX` (mode 0700) and returns its path.
    public static func makeFolder(prefix: String, in base: String? = nil) throws -> String {
        let base = base ?? folder
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw SystemError(operation: "create a temporary folder in", path: base)
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Creates and opens `<base>/<prefix>XXXXXX<suffix>` (mode 0600, close-on-exec: no tool
    /// charon starts inherits it unless handed it explicitly); the caller closes the descriptor.
    /// `base` is the folder the file must live in when it is not `$TMPDIR`: beside a destination
    /// it will be renamed onto, say.
    public static func makeFile(prefix: String, suffix: String = "", in base: String? = nil) throws -> (descriptor: Int32, path: String) {
        let base = base ?? folder
        var template = Array("\(base)/\(prefix)XXXXXX\(suffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        guard fd >= 0 else { throw SystemError(operation: "create a temporary file in", path: base) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return (fd, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// `rm -rf`, without following symlinks.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? POSIXIO.listDirectory(path)) ?? [] { removeTree("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
