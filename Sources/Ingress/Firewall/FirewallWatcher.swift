import CharonSupport
import Logging
import Synchronization

/// Keeps charon's table in the kernel whatever else edits the ruleset: `ingress firewall --watch`.
///
/// It follows nftables' own change events (`nft monitor`: netlink notifications, nothing to do
/// while nothing changes) and, at the end of every transaction that touched the table or flushed
/// the ruleset (`nft delete table`, `nft flush ruleset`, what Debian's `nftables.service` does on
/// start, reload and stop), checks the table and puts it back if it is not as the policy says. Its
/// own repairs are transactions too; the check after one finds the table in place, so it never
/// loops.
///
/// A monitor sees only what happens after it has subscribed, and nothing says when that is. So
/// the watcher installs the table (an atomic replace, which the monitor reports) every
/// ``announceInterval`` until the monitor has reported one: from then on no change can go unseen,
/// and the table is known to be in place. Cancelling the task stops the monitor and leaves the
/// table where it is: only `ingress down` removes it.
///
/// ```swift
/// let watcher = FirewallWatcher(firewall: Firewall(policy: try FirewallPolicy()))
/// try await watcher.run()   // until the task is cancelled
/// ```
public struct FirewallWatcher: Sendable {
    public var firewall: Firewall
    public var clock: any CharonClock
    public var logger: Logger
    /// Between two installs while waiting for the monitor to report one.
    public var announceInterval: Duration = .milliseconds(100)
    /// Told what the table was before each repair: once at the start, then after every change.
    public var onCheck: @Sendable (FirewallState) -> Void
    /// Told each time the monitor is known to be listening (at the start, and after a restart).
    public var onWatching: @Sendable () -> Void

    public init(
        firewall: Firewall,
        clock: any CharonClock = RealClock(),
        logger: Logger = Logger(label: "charon.firewall"),
        onCheck: @escaping @Sendable (FirewallState) -> Void = { _ in },
        onWatching: @escaping @Sendable () -> Void = {}
    ) {
        self.firewall = firewall
        self.clock = clock
        self.logger = logger
        self.onCheck = onCheck
        self.onWatching = onWatching
    }

    /// Watches until cancelled. A monitor that ends (nft killed) is started again; one that cannot
    /// start at all, or an nft that refuses the table, is an error.
    public func run() async throws {
        onCheck(try await firewall.inspect())
        while !Task.isCancelled {
            let code = try await watchOnce()
            if Task.isCancelled { break }
            logger.warning("nft monitor exited with status \(code); watching again")
        }
    }

    /// One `nft monitor`, with the installs that announce it, until the monitor ends.
    private func watchOnce() async throws -> Int32 {
        let heard = MonitorHeard()
        return try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask {
                var touched: String?
                return try await firewall.nft.stream(["monitor"]) { line in
                    if Self.touches(line, table: firewall.policy.tableName) {
                        touched = touched ?? line
                    } else if line.hasPrefix("# new generation"), let event = touched {
                        // A transaction that touched the table is complete: look at it as it now is.
                        touched = nil
                        heard.set()
                        try await check(after: event)
                    }
                }
            }
            group.addTask {
                do {
                    while !heard.value {
                        try await firewall.apply()
                        try await clock.sleep(for: announceInterval)
                    }
                } catch is CancellationError {
                    // The monitor ended before it heard us: the loop below starts another one.
                    return nil
                }
                onWatching()
                return nil
            }
            var code: Int32 = 0
            while let result = try await group.next() {
                // The monitor ended: stop announcing (it would never be heard) and start again.
                if let result {
                    code = result
                    group.cancelAll()
                }
            }
            return code
        }
    }

    private func check(after event: String) async throws {
        let state = try await firewall.reconcile()
        if state != .inPlace {
            onCheck(state)
            logger.notice("table inet \(firewall.policy.tableName) was \(state) after \"\(event)\"; restored")
        }
    }

    /// A monitor line about our table (`delete table inet charon_ingress`, `delete rule inet
    /// charon_ingress input handle 4`) or a flush of the whole ruleset.
    public static func touches(_ line: String, table: String) -> Bool {
        line.hasPrefix("flush ruleset") || line.contains(" inet \(table) ") || line.hasSuffix(" inet \(table)")
    }
}

/// Whether the monitor has reported a change yet, shared by the monitor's task and the one that
/// announces it.
private final class MonitorHeard: Sendable {
    private let heard = Mutex(false)
    var value: Bool { heard.withLock { $0 } }
    func set() { heard.withLock { $0 = true } }
}
