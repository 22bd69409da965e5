import CharonSupport
import Glibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a charon executable says it is built from (`--build-info`), read from the binary itself:
/// the JSON behind the marker `charon-build-info:` that the build embeds as a string constant.
/// Nothing is run, so any file can be inspected safely.
///
/// ```swift
/// let info = try ExecutableBuildInfo.read(from: ".build/release/charon-lifecycle")
/// info?.version        // "9.8.7"
/// info?.swiftPackages  // [swift-argument-parser 1.8.2, swift-log 1.16.2]
/// ```
public struct ExecutableBuildInfo: Codable, Hashable, Sendable {
    public struct SwiftPackage: Codable, Hashable, Sendable {
        public var name: String
        public var version: String?
        public var url: String?

        /// `pkg:swift/github.com/apple/swift-log@1.16.2` (the purl `swift` type: source host and
        /// owner as namespace); nil without a repository URL.
        public var purl: String? {
            guard let url, let version else { return nil }
            var location = url
            for scheme in ["https://", "http://", "ssh://", "git@"] where location.hasPrefix(scheme) {
                location = String(location.dropFirst(scheme.count))
            }
            location = location.replacing(":", with: "/")
            if location.hasSuffix(".git") { location = String(location.dropLast(4)) }
            return "pkg:swift/\(location)@\(PackageURL.escape(version))"
        }
    }

    public var name: String
    public var version: String
    /// The Swift compiler (`6.3.1`): its runtime and libraries are linked in statically.
    public var swift: String?
    public var swiftPackages: [SwiftPackage]

    /// The build info of the executable at `path`, or nil for a file that carries none (not a
    /// charon executable, or not ELF).
    public static func read(from path: String) throws -> ExecutableBuildInfo? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(operation: "open", path: path) }
        defer { close(fd) }
        // The ELF magic first, with one small read: most files are not executables of ours.
        var magic: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        guard withUnsafeMutableBytes(of: &magic, { pread(fd, $0.baseAddress, 4, 0) }) == 4, magic == (0x7f, 0x45, 0x4c, 0x46) else {
            return nil
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError(operation: "stat", path: path) }
        let size = Int(info.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SystemError(operation: "map", path: path)
        }
        defer { munmap(mapped, size) }
        return try find(in: UnsafeRawBufferPointer(start: mapped, count: size))
    }

    /// The first `marker{…}` in `bytes` whose JSON (ended by a NUL, as string constants are)
    /// decodes; the marker alone, as the reading code's own constant, is skipped.
    static func find(in bytes: UnsafeRawBufferPointer) throws -> ExecutableBuildInfo? {
        let needle = Array((BuildInfoText.marker + "{").utf8)
        var offset = 0
        while offset + needle.count <= bytes.count {
            // memchr for the first byte, then compare: Glibc's memmem is not exported to Swift.
            guard let candidate = memchr(bytes.baseAddress! + offset, Int32(needle[0]), bytes.count - offset - needle.count + 1) else {
                return nil
            }
            let at = bytes.baseAddress!.distance(to: UnsafeRawPointer(candidate))
            let matches = needle.withUnsafeBytes { memcmp(bytes.baseAddress! + at, $0.baseAddress!, needle.count) == 0 }
            offset = at + 1
            guard matches else { continue }
            let start = at + needle.count - 1
            var end = start
            while end < bytes.count, bytes[end] != 0 { end += 1 }
            if let info = try? CanonicalJSON.decode(ExecutableBuildInfo.self, from: Array(bytes[start..<end])) { return info }
        }
        return nil
    }
}
