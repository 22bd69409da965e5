import CharonSupport
import Glibc

/// Hands the pages of code and read-only data that only the agent's start touched back to the
/// kernel, once the first pass is done.
///
/// Why: a daemon's resident set keeps every file page it ever touched until memory runs short.
/// For the agent that is argument parsing, the dynamic loader's work on libcurl's closure and
/// the first pass — measured at ~10 MiB of its ~24 MiB, against a working set of ~14 MiB that its
/// passes and scrapes touch again (docs/agent.md, "Memory: pages touched only at start").
/// `MADV_PAGEOUT` reclaims them now instead: clean file pages that only this process maps leave
/// the page cache and the pod's memory cgroup; pages still in use fault back in from the file.
/// Only read-only file mappings are advised: anonymous and written pages would go to swap.
///
/// ```swift
/// let released = StartupPages.release()   // bytes of RSS the kernel took back, e.g. 9_400_000
/// ```
public enum StartupPages {
    /// A read-only, file-backed range of this process's address space.
    public struct Mapping: Equatable, Sendable {
        public var start: UInt
        public var end: UInt
        public var path: String

        public init(start: UInt, end: UInt, path: String) {
            self.start = start
            self.end = end
            self.path = path
        }
    }

    /// The ranges `release()` advises, read from `/proc/self/maps` text: file-backed (an inode and
    /// an absolute path) and not writable. The kernel's pseudo-mappings (`[vdso]`, `[vvar]`),
    /// shared memory (`/memfd:`, `/dev/`, `/SYSV`) and anonymous memory are left alone.
    public static func releasable(inMaps text: String) -> [Mapping] {
        text.split(separator: "\n").compactMap { line in
            // start-end perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1].first == "r", !fields[1].contains("w"), fields[4] != "0" else { return nil }
            let path = fields[5].trimmingWhitespace()
            // Shared-memory objects and devices are memory, not files: paging them out means swap.
            guard path.hasPrefix("/"), !["/memfd:", "/dev/", "/SYSV"].contains(where: path.hasPrefix) else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), start < end else {
                return nil
            }
            return Mapping(start: start, end: end, path: path)
        }
    }

    /// Advises every releasable mapping with `MADV_PAGEOUT` and returns how much the resident set
    /// shrank, in bytes (0 when the kernel predates `MADV_PAGEOUT`, Linux 5.4, or took nothing).
    @discardableResult
    public static func release() -> Int64 {
        guard let maps = try? POSIXIO.readFile("/proc/self/maps") else { return 0 }
        let before = residentBytes()
        for mapping in releasable(inMaps: String(decoding: maps, as: UTF8.self)) {
            // A refusal (an old kernel, a locked range) costs nothing: that range stays resident.
            _ = madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), Int(mapping.end - mapping.start), pageOutAdvice)
        }
        guard let before, let after = residentBytes() else { return 0 }
        return max(0, before - after)
    }

    /// `MADV_PAGEOUT` from <linux/mman.h>; Glibc's module does not always export it.
    static let pageOutAdvice: Int32 = 21

    /// `Rss:` of `/proc/self/smaps_rollup`, in bytes.
    static func residentBytes() -> Int64? {
        guard let bytes = try? POSIXIO.readFile("/proc/self/smaps_rollup") else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Rss:") {
            let kibibytes = line.dropFirst(4).split(separator: " ").first.flatMap { Int64($0) }
            return kibibytes.map { $0 * 1024 }
        }
        return nil
    }
}
