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
        let folder = directory ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/charon-XXXXXX\(suffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        guard fd >= 0 else { throw SystemError(operation: "create a temporary file in", path: folder) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
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
