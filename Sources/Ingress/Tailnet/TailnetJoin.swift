import CharonSupport
import Glibc
import Logging
import Tailscale

/// Keeps this node's tailscaled joined to Headscale as ``IngressHostname``: reads the status,
/// decides (``TailnetJoinDecision``), and only when needed removes stale (offline) registrations
/// of the name, mints one single-use pre-auth key that expires within minutes, and runs
/// `tailscale up` with it (the key in a 0600 file that is deleted right after), then waits for
/// `Running` with addresses. Failed joins back off (``JoinBackoff``): a backed-off pass touches
/// neither Headscale nor tailscaled and returns at once.
///
/// ```swift
/// let join = TailnetJoin(configuration: .init(hostname: try IngressHostname(nodeName: "node1"),
///                                             loginServer: "https://hs.example.com"),
///                        tailscale: TailscaleCLI(), enrollment: enrollment)
/// let outcome = try await join.reconcile(logger: logger)
/// ```
public struct TailnetJoin: Sendable {
    public struct Configuration: Sendable {
        public var hostname: IngressHostname
        public var loginServer: String
        /// Where the key file lives for the seconds `tailscale up` needs it (root-only, tmpfs).
        public var keyDirectory: String
        /// `tailscale up --timeout`.
        public var upTimeoutSeconds: Int
        /// How long to wait for `Running` after `up`, and for `Starting` to settle.
        public var settleTimeout: Duration
        public var pollInterval: Duration
        /// How long Headscale accepts the pre-auth key: long enough for `tailscale up`, short
        /// enough that a key nobody used is dead within minutes.
        public var keyLifetime: Duration

        public init(
            hostname: IngressHostname,
            loginServer: String,
            keyDirectory: String = "/run/charon-node",
            upTimeoutSeconds: Int = 60,
            settleTimeout: Duration = .seconds(30),
            pollInterval: Duration = .seconds(1),
            keyLifetime: Duration = .seconds(300)
        ) {
            self.hostname = hostname
            self.loginServer = loginServer
            self.keyDirectory = keyDirectory
            self.upTimeoutSeconds = upTimeoutSeconds
            self.settleTimeout = settleTimeout
            self.pollInterval = pollInterval
            self.keyLifetime = keyLifetime
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// Already joined; nothing was changed and no key was minted.
        case alreadyJoined(addresses: [String])
        /// Brought back up with its existing node key.
        case broughtUp(addresses: [String])
        /// Joined with a new pre-auth key after removing `removedStale` stale registrations.
        case joined(addresses: [String], removedStale: Int)

        public var addresses: [String] {
            switch self {
            case .alreadyJoined(let addresses), .broughtUp(let addresses), .joined(let addresses, _): addresses
            }
        }
    }

    public var configuration: Configuration
    public var tailscale: any TailscaleControl
    public var enrollment: any TailnetEnrollment
    /// Seconds since 1970 (the tests pin it to judge key expiry).
    public var now: @Sendable () -> Int64
    /// What the waits for `Starting` to settle and for `Running` are measured and slept on (the
    /// tests drive a manual clock and count the polls).
    public var clock: any CharonClock
    /// Shared by every pass's join (the agent rebuilds the join each pass).
    public var backoff: JoinBackoff

    public init(
        configuration: Configuration,
        tailscale: any TailscaleControl,
        enrollment: any TailnetEnrollment,
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) },
        clock: any CharonClock = RealClock(),
        backoff: JoinBackoff = JoinBackoff()
    ) {
        self.configuration = configuration
        self.tailscale = tailscale
        self.enrollment = enrollment
        self.now = now
        self.clock = clock
        self.backoff = backoff
    }

    public func reconcile(logger: Logger = Logger(label: "charon.ingress.tailnet")) async throws -> Outcome {
        try Self.validateLoginServer(configuration.loginServer)
        var status = try await tailscale.status()
        var decision = TailnetJoinDecision(status: status, now: now())
        if case .wait(let reason) = decision {
            logger.info("\(reason); waiting up to \(configuration.settleTimeout)")
            status = try await settle(from: status)
            decision = TailnetJoinDecision(status: status, now: now())
            if case .wait(let reason) = decision { decision = .join(reason: "\(reason) for too long", forceReauth: true) }
        }
        switch decision {
        case .joined(let addresses):
            backoff.recordSuccess()
            return .alreadyJoined(addresses: addresses)
        case .bringUp(let reason):
            try admit()
            logger.notice("\(reason); bringing it up with its node key")
            do {
                try await tailscale.up(options(keyFile: nil, forceReauth: false), redacting: [])
                let running = try await waitForRunning()
                backoff.recordSuccess()
                return .broughtUp(addresses: running.addresses)
            } catch {
                logger.warning("tailscale up without a new key failed (\(error)); joining with a fresh key")
                return try await attemptJoin(reason: reason, forceReauth: true, logger: logger)
            }
        case .join(let reason, let forceReauth):
            try admit()
            return try await attemptJoin(reason: reason, forceReauth: forceReauth, logger: logger)
        case .wait:
            preconditionFailure("wait is resolved above")
        }
    }

    /// Throws ``TailnetJoinError/backingOff(failures:retryIn:lastError:)`` while earlier failures
    /// say to wait.
    private func admit() throws {
        if let wait = backoff.remaining(at: clock.now) {
            let state = backoff.current
            throw TailnetJoinError.backingOff(failures: state.failures, retryIn: wait, lastError: state.lastError ?? "unknown")
        }
    }

    /// One join, its outcome recorded in the backoff.
    private func attemptJoin(reason: String, forceReauth: Bool, logger: Logger) async throws -> Outcome {
        do {
            let outcome = try await join(reason: reason, forceReauth: forceReauth, logger: logger)
            backoff.recordSuccess()
            return outcome
        } catch {
            let delay = backoff.recordFailure("\(error)", at: clock.now)
            logger.warning("join failed (\(backoff.current.failures) in a row); next attempt in \(TailnetJoinError.seconds(delay)): \(error)")
            throw error
        }
    }

    private func join(reason: String, forceReauth: Bool, logger: Logger) async throws -> Outcome {
        let hostname = configuration.hostname.value
        logger.notice("\(reason); joining \(configuration.loginServer) as \(hostname)")
        // Deleting the registration and minting a key are not undone: make sure the key can be
        // written first, or a read-only folder would cost the node its registration every pass.
        try checkKeyDirectory()
        let removed = try await enrollment.removeStaleNodes(named: hostname)
        if removed > 0 { logger.info("removed \(removed) stale Headscale node(s) named \(hostname)") }
        let key = try await enrollment.createPreAuthKey(expiringIn: configuration.keyLifetime)
        let keyFile = try writeKeyFile(key)
        defer { unlink(keyFile) }
        do {
            try await tailscale.up(options(keyFile: keyFile, forceReauth: forceReauth), redacting: [key])
        } catch {
            let health = (try? await tailscale.status())?.healthSummary ?? "status unavailable"
            throw TailscaleError.commandFailed(AuthKeyRedaction.redact("\(error) (tailscaled health: \(health))", knownKeys: [key]))
        }
        let running = try await waitForRunning()
        logger.notice("joined as \(hostname) with \(running.addresses.joined(separator: ", "))")
        return .joined(addresses: running.addresses, removedStale: removed)
    }

    private func options(keyFile: String?, forceReauth: Bool) -> TailscaleUpOptions {
        TailscaleUpOptions(
            loginServer: configuration.loginServer,
            hostname: configuration.hostname.value,
            authKeyFile: keyFile,
            forceReauth: forceReauth,
            acceptDNS: false,
            timeoutSeconds: configuration.upTimeoutSeconds
        )
    }

    /// Polls until the state leaves `Starting` or the settle timeout passes.
    private func settle(from status: TailscaleStatus) async throws -> TailscaleStatus {
        let deadline = clock.now + configuration.settleTimeout
        var current = status
        while current.backendState == .starting && clock.now < deadline {
            try await clock.sleep(for: configuration.pollInterval)
            current = try await tailscale.status()
        }
        return current
    }

    /// Polls until `Running` with an address; throws with tailscaled's health otherwise.
    private func waitForRunning() async throws -> TailscaleStatus {
        let deadline = clock.now + configuration.settleTimeout
        while true {
            let status = try await tailscale.status()
            if case .joined = TailnetJoinDecision(status: status, now: now()) { return status }
            guard clock.now < deadline else {
                throw TailscaleError.commandFailed(
                    "tailscale up returned but the node is \(status.backendState) without a usable address after \(configuration.settleTimeout) (health: \(status.healthSummary))"
                )
            }
            try await clock.sleep(for: configuration.pollInterval)
        }
    }

    /// Creates the key folder (0700) if needed and proves it takes a file: a probe is created
    /// exclusively and removed. Throws a message naming the folder and the reason.
    public func checkKeyDirectory() throws {
        let folder = configuration.keyDirectory
        do {
            try POSIXIO.makeDirectories(folder, mode: 0o700)
        } catch {
            throw TailscaleError.invalidArgument("key directory \(folder) cannot be created: \(error); nothing was deleted or minted")
        }
        let probe = "\(folder)/.probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw TailscaleError.invalidArgument("key directory \(folder) is not writable (\(reason)); nothing was deleted or minted")
        }
        close(fd)
        unlink(probe)
    }

    /// Removes what a killed join can leave in the key folder: key files (`authkey-*`), the
    /// temporary files of their atomic writes and probes. Returns how many went; a folder that is
    /// missing or unreadable counts as empty.
    @discardableResult
    public func sweepKeyDirectory() -> Int {
        Self.sweepKeyDirectory(configuration.keyDirectory)
    }

    /// ``sweepKeyDirectory()`` for a folder, before any join is made.
    @discardableResult
    public static func sweepKeyDirectory(_ folder: String) -> Int {
        guard let names = try? POSIXIO.listDirectory(folder) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix("authkey-") || name.hasPrefix(".authkey-") || name.hasPrefix(".probe-") {
            if unlink("\(folder)/\(name)") == 0 { removed += 1 }
        }
        return removed
    }

    /// Writes the key where only root can read it, atomically, so `tailscale up` never reads half.
    private func writeKeyFile(_ key: String) throws -> String {
        try POSIXIO.makeDirectories(configuration.keyDirectory, mode: 0o700)
        let path = "\(configuration.keyDirectory)/authkey-\(configuration.hostname.value)"
        try AtomicFile.write(Array(key.utf8), to: path, mode: 0o600)
        return path
    }

    /// The login server goes into a `--login-server=` flag: an http(s) URL, no spaces.
    static func validateLoginServer(_ url: String) throws {
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" }),
            url.split(separator: "/").count >= 2
        else {
            throw TailscaleError.invalidArgument("login server \"\(url)\" must be an http:// or https:// URL")
        }
    }
}
