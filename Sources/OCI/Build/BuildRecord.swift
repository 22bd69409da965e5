import CharonSupport
import Glibc

/// What the last successful build wrote, kept beside the tarball (`<output>.inputs.json`), so an
/// unchanged rebuild is answered from metadata alone: no layer is read, nothing is rewritten.
struct BuildRecord: Codable, Hashable {
    var fingerprint: Digest
    var manifestDigest: Digest
    var reference: String
    var size: Int64
    /// `<mtime>/<ctime>` of the tarball, each `seconds.nanoseconds`.
    var modificationTime: String

    static func path(for output: String) -> String { "\(output).inputs.json" }

    /// The tarball's size, mtime and ctime as recorded, so a replaced or edited tarball is
    /// noticed even when whoever replaced it put the old size and mtime back (ctime cannot be set).
    static func stamp(of path: String) -> (size: Int64, time: String)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Int64(info.st_size), "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)/\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)")
    }

    static func load(for output: String) -> BuildRecord? {
        guard let bytes = try? POSIXIO.readFile(path(for: output)) else { return nil }
        return try? CanonicalJSON.decode(BuildRecord.self, from: bytes)
    }

    /// True when this record still describes the file at `output`.
    func matches(output: String, fingerprint: Digest) -> Bool {
        guard self.fingerprint == fingerprint, let stamp = BuildRecord.stamp(of: output) else { return false }
        return stamp.size == size && stamp.time == modificationTime
    }

    func save(for output: String) throws {
        // Not flushed: a record lost or torn by a crash fails to decode or to match the tarball's
        // stamp, and the next build rebuilds. The builder flushes the folder after saving it.
        try AtomicFile.write(try CanonicalJSON.encode(self), to: BuildRecord.path(for: output), mode: 0o644, durability: .renameOnly)
    }
}
