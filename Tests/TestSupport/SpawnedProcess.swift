import CharonSupport
import Glibc

/// A child process started with `posix_spawn`, for tests that must signal it (SIGTERM) while it
/// runs; output goes to files under a scratch folder.
///
/// ```swift
/// let child = try SpawnedProcess(BuiltProducts.path("charon-lifecycle"), ["dns-create"], environment: env, outputFolder: scratch.path)
/// child.signal(SIGTERM)
/// let status = try await child.wait(timeout: .seconds(5))
/// ```
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    public let standardOutputPath: String
    public let standardErrorPath: String

    /// Starts `executable`; `environment` replaces the inherited environment entirely.
    public init(_ executable: String, _ arguments: [String], environment: [String: String], outputFolder: String) throws {
        standardOutputPath = "\(outputFolder)/stdout-\(UInt32.random(in: 0...UInt32.max))"
        standardErrorPath = standardOutputPath.replacingOccurrences("stdout", "stderr")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
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
        unlink(standardOutputPath)
        unlink(standardErrorPath)
    }

    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// The exit status if the process has ended (reaping it), nil while it runs.
    public func exitStatusIfDone() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signalled = status & 0x7f
        return signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
    }

    /// Waits for exit; returns the exit status (128 + signal if killed). Kills the child on timeout.
    public func wait(timeout: Duration) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signalled = status & 0x7f
                return signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
            }
            if clock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw StillRunning(pid: pid, timeout: timeout)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public var standardOutput: String { Self.read(standardOutputPath) }
    public var standardError: String { Self.read(standardErrorPath) }

    static func read(_ path: String) -> String {
        (try? POSIXIO.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// A spawned process that outlived its deadline (it has been killed).
public struct StillRunning: Error, CustomStringConvertible {
    public var pid: pid_t
    public var timeout: Duration
    public var description: String { "process \(pid) did not exit within \(timeout)" }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
