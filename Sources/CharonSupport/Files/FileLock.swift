import Glibc

/// An exclusive advisory lock (`flock`) on a lock file, held until the value is released.
///
/// Builds of the same output take `<output>.lock`, so two agents, or an agent and an operator's
/// `image rebuild`, never write the same tarball at once. The kernel drops the lock if the
/// process dies, so a crash never leaves a stale lock behind.
///
/// ```swift
/// let lock = try FileLock.acquire("/var/lib/charon-node/tailscale-lifecycle-image.tar.lock") {
///     logger.info("waiting for another build of this image")
/// }
/// defer { lock.release() }
/// ```
public final class FileLock {
    /// Path of the lock file.
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Never through a symlink (a link planted at the lock path would make us create or lock
    /// another file), and never inherited by the programs we start (`ctr` would hold the lock).
    static let flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW

    /// Takes the lock, calling `onWait` once if another holder makes us wait.
    public static func acquire(_ path: String, onWait: () -> Void = {}) throws -> FileLock {
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw SystemError(operation: "open lock file", path: path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let error = SystemError(operation: "lock", path: path)
                close(fd)
                throw error
            }
            onWait()
            while flock(fd, LOCK_EX) != 0 {
                if errno == EINTR { continue }
                let error = SystemError(operation: "lock", path: path)
                close(fd)
                throw error
            }
        }
        return FileLock(path: path, descriptor: fd)
    }

    /// Takes the lock only if it is free; `nil` when another process holds it.
    public static func tryAcquire(_ path: String) throws -> FileLock? {
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw SystemError(operation: "open lock file", path: path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return FileLock(path: path, descriptor: fd)
    }

    /// Releases the lock; safe to call more than once.
    ///
    /// Unlocks before closing: a child forked by another thread that has not reached `exec` yet
    /// holds a copy of the descriptor, and `close` alone would leave the lock held until it does.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
