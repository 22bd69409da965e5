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

    /// Writes a text file under this folder, creating parents.
    @discardableResult
    public func write(_ relativePath: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let full = "\(path)/\(relativePath)"
        try POSIXIO.makeDirectories(POSIXIO.directoryName(of: full))
        try AtomicFile.write(Array(text.utf8), to: full, mode: mode)
        return full
    }

    /// `rm -rf`, without following symlinks.
    public static func remove(_ path: String) { TemporaryFiles.removeTree(path) }
}
