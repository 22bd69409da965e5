import Glibc
import OCI
import Synchronization

/// Lets the agent skip the child when nothing a build looks at changed: a child that found
/// nothing changed costs ~28 ms of CPU (a process start, the spec parse, planning), the stat of
/// its ~40 checked paths a fraction of a millisecond.
///
/// Safe by construction: a result is reused only when (1) the last child answered `unchanged`,
/// (2) it reported the same checked paths as the child before it, and (3) every one of those
/// paths still has the stat taken *before* that child started. Anything that changed since, even
/// during the child's run, differs from those stamps, and the next pass runs a child again.
///
/// What stats cannot see — a new file appearing earlier on a search path (an executable on
/// `PATH`, a library in an earlier folder) — the child's own planning does: a child runs at least
/// every `reuseLimit` passes (10: ten minutes at the default interval) whatever the stamps say.
final class ChildBuildMemo: Sendable {
    private struct Entry: Sendable {
        var paths: [String]
        var stamps: [String]
        var result: ImageBuilder.Result?
        var reused = 0
    }
    private let last = Mutex<Entry?>(nil)
    let reuseLimit: Int

    init(reuseLimit: Int = 10) {
        self.reuseLimit = reuseLimit
    }

    /// The result to reuse, if nothing checked changed since it was verified.
    func reusable() -> ImageBuilder.Result? {
        guard let entry = last.withLock({ $0 }), let result = entry.result, entry.reused < reuseLimit,
            Self.stamps(entry.paths) == entry.stamps
        else { return nil }
        last.withLock { $0?.reused += 1 }
        return result
    }

    /// The stamps of the paths the previous child reported, taken before the next child starts.
    func stampsBeforeRun() -> (paths: [String], stamps: [String])? {
        guard let paths = last.withLock({ $0?.paths }) else { return nil }
        return (paths, Self.stamps(paths))
    }

    func remember(_ result: ImageBuilder.Result, checkedPaths: [String], before: (paths: [String], stamps: [String])?) {
        let verified = result.outcome == .unchanged && !checkedPaths.isEmpty && before?.paths == checkedPaths
        last.withLock {
            $0 = Entry(paths: checkedPaths, stamps: verified ? before?.stamps ?? [] : [], result: verified ? result : nil)
        }
    }

    func forget() { last.withLock { $0 = nil } }

    /// Device, inode, size, mtime, ctime and mode, of the path and (when it is a link) of its
    /// target; "-" when missing.
    static func stamps(_ paths: [String]) -> [String] {
        paths.map { path in
            var link = stat()
            var target = stat()
            let parts = [lstat(path, &link) == 0 ? describe(link) : "-", stat(path, &target) == 0 ? describe(target) : "-"]
            return parts.joined(separator: " ")
        }
    }

    private static func describe(_ info: stat) -> String {
        "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):"
            + "\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec):\(info.st_mode)"
    }
}
