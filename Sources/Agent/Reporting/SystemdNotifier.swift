import CharonSupport
import Glibc

/// Sends sd_notify messages (`READY=1`, `WATCHDOG=1`, `STATUS=…`) to systemd: one datagram on the
/// unix socket named by `NOTIFY_SOCKET`, written here rather than linking libsystemd. A leading `@`
/// names a socket in the abstract namespace (Linux), whose address starts with a NUL byte.
///
/// ```swift
/// if let notifier = SystemdNotifier(socketPath: getenv("NOTIFY_SOCKET")) {
///     try notifier.send("READY=1\nSTATUS=healthy")
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

/// What systemd told this process through the environment.
///
/// ```swift
/// let systemd = SystemdEnvironment(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000"])
/// systemd?.watchdogInterval  // 15 s: half of WatchdogSec, as sd_watchdog_enabled(3) advises
/// ```
public struct SystemdEnvironment: Sendable, Equatable {
    public var notifySocket: String
    /// `WATCHDOG_USEC`, when the unit has `WatchdogSec=` and the watchdog is meant for this process.
    public var watchdogPeriod: Duration?

    public init(notifySocket: String, watchdogPeriod: Duration? = nil) {
        self.notifySocket = notifySocket
        self.watchdogPeriod = watchdogPeriod
    }

    /// `nil` unless `NOTIFY_SOCKET` is set. `WATCHDOG_PID`, when set, must be this process.
    public init?(environment: [String: String], processID: Int32 = getpid()) {
        guard let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty else { return nil }
        notifySocket = socket
        if let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == processID }) ?? true
        {
            watchdogPeriod = .microseconds(microseconds)
        } else {
            watchdogPeriod = nil
        }
    }

    /// How often to send `WATCHDOG=1`: half the period.
    public var watchdogInterval: Duration? { watchdogPeriod.map { $0 / 2 } }
}
