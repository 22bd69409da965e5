import CArchive
import CharonSupport

/// Reads the small metadata files of an image tarball (`index.json`) without extracting it.
///
/// ```swift
/// let image = try ImageArchiveReader.describe("/var/lib/charon-node/tailscale-lifecycle-image.tar")
/// image.reference        // "localhost/tailscale-lifecycle:latest"
/// image.manifestDigest   // sha256:…
/// ```
public enum ImageArchiveReader {
    /// The image an archive names, as `index.json` says.
    public struct Summary: Hashable, Sendable {
        public var reference: String
        public var manifestDigest: Digest

        public init(reference: String, manifestDigest: Digest) {
            self.reference = reference
            self.manifestDigest = manifestDigest
        }
    }

    public enum ReadError: Error, CustomStringConvertible {
        case notAnArchive(path: String, reason: String)
        case noIndex(path: String)
        case unnamed(path: String)

        public var description: String {
            switch self {
            case .notAnArchive(let path, let reason): "\(path) is not a readable image tarball: \(reason)"
            case .noIndex(let path): "\(path) has no index.json: not an OCI image layout"
            case .unnamed(let path): "\(path): index.json names no image (no \(AnnotationKey.containerdImageName) annotation)"
            }
        }
    }

    /// Reads `index.json` from the tarball; stops at that entry.
    public static func describe(_ path: String) throws -> Summary {
        guard let handle = archive_read_new() else { throw ReadError.notAnArchive(path: path, reason: "libarchive") }
        defer { archive_read_free(handle) }
        archive_read_support_format_tar(handle)
        guard archive_read_open_filename(handle, path, 1 << 16) == ARCHIVE_OK else {
            let reason = archive_error_string(handle).map { String(cString: $0) } ?? "cannot open"
            throw ReadError.notAnArchive(path: path, reason: reason)
        }
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(handle, &entry)
            if status == ARCHIVE_EOF { throw ReadError.noIndex(path: path) }
            guard status >= ARCHIVE_WARN, let entry else {
                let reason = archive_error_string(handle).map { String(cString: $0) } ?? "damaged"
                throw ReadError.notAnArchive(path: path, reason: reason)
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            guard name == "index.json" || name == "./index.json" else { continue }
            let size = Int(archive_entry_size(entry))
            guard size > 0, size < 1 << 20 else { throw ReadError.notAnArchive(path: path, reason: "index.json has size \(size)") }
            var bytes = [UInt8](repeating: 0, count: size)
            let read = bytes.withUnsafeMutableBytes { archive_read_data(handle, $0.baseAddress, size) }
            guard read == size else { throw ReadError.notAnArchive(path: path, reason: "truncated index.json") }
            let index: ImageIndex
            do {
                index = try CanonicalJSON.decode(ImageIndex.self, from: bytes)
            } catch {
                throw ReadError.notAnArchive(path: path, reason: "index.json: \(error)")
            }
            guard let manifest = index.manifests.first,
                let reference = manifest.annotations?[AnnotationKey.containerdImageName]
            else { throw ReadError.unnamed(path: path) }
            return Summary(reference: reference, manifestDigest: manifest.digest)
        }
    }
}
