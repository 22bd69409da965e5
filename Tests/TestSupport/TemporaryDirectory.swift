import CharonSupport
import Glibc

/// A fresh private folder (mode 0700) under `$TMPDIR` or `/tmp`, removed when the value is released.
///
/// Not under the build folder: tests bind unix sockets in these folders, and a socket path may
/// hold at most 107 bytes. A clone at `~/src/github.com/<org>/charon-node` plus
/// `.build/<triple>/debug/tmp/<folder>/` leaves too little for the socket's own name.
///
/// ```swift
/// let scratch = try TemporaryDirectory()
/// let output = scratch.path + "/image.tar"
/// ```
public final class TemporaryDirectory {
    public let path: String

    public init(prefix: String = "charon-test") throws {
        path = try TemporaryFiles.makeFolder(prefix: prefix)
    }

    deinit {
        Self.remove(path)
    }

    /// Writes a text file under this folder, creating parents, atomically.
    ///
    /// An executable (an `x` bit in `mode`) is written by a child process (`install`), never
    /// through a descriptor of this one: a child that a concurrent test forks in that moment holds
    /// a copy of the descriptor until it execs, and running the file meanwhile fails with ETXTBSY
    /// ("Text file busy": a fake `tailscale` failed this way in CI).
    @discardableResult
    public func write(_ relativePath: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let full = "\(path)/\(relativePath)"
        try POSIXIO.makeDirectories(POSIXIO.directoryName(of: full))
        guard mode & 0o111 != 0 else {
            try AtomicFile.write(Array(text.utf8), to: full, mode: mode)
            return full
        }
        let source = "\(full).source"
        let staged = "\(full).staged"
        try AtomicFile.write(Array(text.utf8), to: source, mode: 0o600)
        defer { unlink(source) }
        let status = try runToCompletion("/usr/bin/install", ["-m", String(mode, radix: 8), "-T", source, staged])
        guard status == 0 else { throw SystemError(operation: "install (exit \(status)) an executable as", path: full, code: EIO) }
        guard rename(staged, full) == 0 else { throw SystemError(operation: "rename into place", path: full) }
        return full
    }

    /// `rm -rf`, without following symlinks.
    public static func remove(_ path: String) { TemporaryFiles.removeTree(path) }
}
