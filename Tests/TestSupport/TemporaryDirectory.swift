import CharonSupport
import Glibc

/// A fresh folder under the build folder's `tmp/`, removed when the value is released.
///
/// ```swift
/// let scratch = try TemporaryDirectory()
/// let output = scratch.path + "/image.tar"
/// ```
public final class TemporaryDirectory {
    public let path: String

    public init(prefix: String = "charon-test") throws {
        let base = "\(BuiltProducts.directory)/tmp"
        try POSIXIO.makeDirectories(base)
        path = try TemporaryFiles.makeFolder(prefix: prefix, in: base)
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
