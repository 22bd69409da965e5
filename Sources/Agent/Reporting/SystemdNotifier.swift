import CharonSupport
import Glibc

/// Sends sd_notify messages (`READY=1`, `WATCHDOG=1`, `STATUS=…`) to systemd: one datagram on the
/// unix socket named by `NOTIFY_SOCKET`, written here rather than linking libsystemd. A leading `@`
/// names a socket in the abstract namespace (Linux), whose address starts with a NUL byte.
///
/// ```swift
/// if let socket = ProcessEnvironment.current["NOTIFY_SOCKET"] {
///     try SystemdNotifier(socketPath: socket).send("READY=1\nSTATUS=healthy")
/// }
/// ```
public struct SystemdNotifier: Sendable {
    public var socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    public func send(_ message: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError(operation: "create a socket for", path: socketPath) }
        defer { close(descriptor) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A filesystem path needs room for its terminating NUL; an abstract name does not have one.
        guard path.count < capacity || (abstract && path.count <= capacity) else {
            throw SystemError(operation: "use (name too long) the notify socket", path: socketPath, code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + path.count + (abstract ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        guard sent == bytes.count else { throw SystemError(operation: "send to the notify socket", path: socketPath) }
    }
}
