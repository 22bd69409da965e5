import Glibc

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
