import CharonSupport
import Glibc
import Synchronization

/// A child process started with `posix_spawn` (stdin from /dev/null, stdout and stderr into files
/// under `outputFolder`), for tests that poll it, signal it and collect its exit status while it
/// runs: the agent, `charon-lifecycle dns-create`, `openssl s_server`. A child still running when
/// the test lets go of it is killed, so a test that fails half-way leaves nothing behind.
///
/// ```swift
/// let child = try SpawnedProcess(BuiltProducts.path("charon-lifecycle"), ["dns-create"], environment: env, outputFolder: scratch.path)
/// child.signal(SIGTERM)
/// let status = try await child.wait(timeout: .seconds(60))
/// ```
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    public let standardOutputPath: String
    public let standardErrorPath: String
    /// The exit status once reaped (a pid can be waited for only once).
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable`; `environment` replaces the inherited environment entirely (see
    /// ``inheritedEnvironment(adding:removing:)`` for the test's own plus a few changes).
    public init(_ executable: String, _ arguments: [String], environment: [String: String], outputFolder: String, name: String = "process") throws {
        let base = "\(outputFolder)/\(name).\(UInt32.random(in: 0...UInt32.max))"
        standardOutputPath = base + ".out"
        standardErrorPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, standardErrorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw SystemError(operation: "posix_spawn", path: executable, code: result) }
        pid = child
    }

    deinit {
        stop()
        unlink(standardOutputPath)
        unlink(standardErrorPath)
    }

    /// The test process's environment with `removing` taken out and `adding` put in.
    public static func inheritedEnvironment(adding extra: [String: String] = [:], removing names: [String] = []) -> [String: String] {
        var environment = ProcessEnvironment.current
        for name in names { environment[name] = nil }
        return environment.merging(extra) { _, added in added }
    }

    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// The exit status (128 + signal when killed) if the process has ended, nil while it runs.
    public func exitStatusIfDone() -> Int32? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            reaped = Self.exitCode(status)
            return reaped
        }
    }

    /// Waits for exit and returns the status; kills the child and throws ``StillRunning`` when it
    /// outlives `timeout` (tests give minutes, far from the milliseconds they need).
    public func wait(timeout: Duration) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let status = exitStatusIfDone() { return status }
            if clock.now > deadline {
                stop()
                throw StillRunning(pid: pid, timeout: timeout)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGTERM, up to `grace` for the child to exit on its own, then SIGKILL: for a `defer`, where
    /// nothing can be awaited. Returns the exit status.
    @discardableResult
    public func terminate(grace: Duration = .seconds(10)) -> Int32 {
        signal(SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while clock.now < deadline {
            if let status = exitStatusIfDone() { return status }
            usleep(20_000)
        }
        stop()
        return exitStatusIfDone() ?? 128 + SIGKILL
    }

    /// Kills the child if it still runs and reaps it.
    public func stop() {
        reaped.withLock { reaped in
            guard reaped == nil else { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = Self.exitCode(status)
                return
            }
            kill(pid, SIGKILL)
            reaped = waitpid(pid, &status, 0) == pid ? Self.exitCode(status) : 128 + SIGKILL
        }
    }

    public var standardOutput: String { Self.read(standardOutputPath) }
    public var standardError: String { Self.read(standardErrorPath) }

    static func read(_ path: String) -> String {
        (try? POSIXIO.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal.
    static func exitCode(_ status: Int32) -> Int32 {
        let signalled = status & 0x7f
        return signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
    }
}

/// A spawned process that outlived its deadline (it has been killed).
public struct StillRunning: Error, CustomStringConvertible {
    public var pid: pid_t
    public var timeout: Duration
    public var description: String { "process \(pid) did not exit within \(timeout)" }
}
