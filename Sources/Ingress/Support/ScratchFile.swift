import CharonSupport
import Glibc

/// A private temporary file (mode 0600) that is removed when the value goes away; for scripts and
/// candidate configs handed to a tool by path.
///
/// ```swift
/// let script = try ScratchFile(contents: policy.applyScript, suffix: ".nft")
/// try await nft.check(["-f", script.path])
/// ```
final class ScratchFile {
    let path: String

    init(contents: String, in directory: String? = nil, suffix: String = "") throws {
        let (fd, path) = try TemporaryFiles.makeFile(prefix: "charon-", suffix: suffix, in: directory)
        self.path = path
        defer { close(fd) }
        do {
            try Array(contents.utf8).withUnsafeBytes { try POSIXIO.writeAll(fd, $0, path: path) }
        } catch {
            unlink(path)
            throw error
        }
    }

    deinit { unlink(path) }
}
