import CharonSupport
import Glibc

/// Who in this process is blocked waiting for the `flock` on a file, read from `/proc/locks`
/// (a waiter's line starts with `->`). Lets a test wait until a build really blocks on a lock
/// instead of sleeping and hoping it got there.
///
/// ```swift
/// let lock = try FileLock.acquire(path)
/// let build = Task.detached { try builder.build(spec) }
/// try await LockWaiters.waitForOne(on: path)  // the build is blocked on our lock now
/// ```
public enum LockWaiters {
    /// Lock requests of this process blocked on `path`.
    public static func count(on path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0, let text = try? POSIXIO.readFile("/proc/locks") else { return 0 }
        let me = String(getpid())
        let inode = String(info.st_ino)
        return String(decoding: text, as: UTF8.self).split(separator: "\n").filter { line in
            let fields = line.split(separator: " ")
            // `1: -> FLOCK  ADVISORY  WRITE <pid> <maj>:<min>:<inode> 0 EOF`
            guard fields.count >= 7, fields[1] == "->" else { return false }
            return fields[5] == me && fields[6].split(separator: ":").last.map(String.init) == inode
        }.count
    }

    /// Suspends until at least one lock request of this process waits on `path`. No deadline of
    /// its own: the test's time limit ends a wait for something that never happens.
    public static func waitForOne(on path: String) async throws {
        while count(on: path) == 0 { try await Task.sleep(for: .milliseconds(10)) }
    }
}
