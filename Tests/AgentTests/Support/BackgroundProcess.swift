import CharonSupport
import Glibc
import TestSupport

/// A built executable running in the background (the agent), with its stdout and stderr in files,
/// so a test can poll it, signal it and collect its exit status.
///
/// ```swift
/// let agent = try BackgroundProcess.start(BuiltProducts.path("charon-node"), ["agent", …], logFolder: scratch.path)
/// agent.signal(SIGTERM)
/// let status = try await agent.waitForExit(within: .seconds(10))
/// ```
final class BackgroundProcess: @unchecked Sendable {
    let pid: pid_t
    let standardErrorPath: String
    let standardOutputPath: String
    private var exitStatus: Int32?

    private init(pid: pid_t, standardOutputPath: String, standardErrorPath: String) {
        self.pid = pid
        self.standardOutputPath = standardOutputPath
        self.standardErrorPath = standardErrorPath
    }

    static func start(
        _ executable: String,
        _ arguments: [String],
        logFolder: String,
        name: String = "agent",
        environment: [String: String] = [:]
    ) throws -> BackgroundProcess {
        let out = "\(logFolder)/\(name).\(UInt32.random(in: 0...UInt32.max)).out"
        let err = out.replacingSuffix(".out", with: ".err")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var inherited: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { inherited[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry = entry.advanced(by: 1)
        }
        // Never let a test agent think it is in a cluster or under systemd unless told so.
        for name in ["KUBERNETES_SERVICE_HOST", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { inherited[name] = nil }
        inherited.merge(environment) { $1 }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = inherited.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard code == 0 else { throw SystemError(operation: "spawn", path: executable, code: code) }
        return BackgroundProcess(pid: pid, standardOutputPath: out, standardErrorPath: err)
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    var standardError: String { (try? POSIXIO.readFile(standardErrorPath)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
    var standardOutput: String { (try? POSIXIO.readFile(standardOutputPath)).map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// The exit code (128 + signal when killed), or `nil` if it still runs.
    func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }

    func waitForExit(within limit: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let code = poll() { return code }
            try await Task.sleep(for: .milliseconds(50))
        }
        return poll()
    }

    /// Kills it if it still runs (tests that fail half-way must not leave agents behind).
    func stop() {
        guard poll() == nil else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = 137
    }

    deinit { stop() }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}

/// Polls until `condition` holds or `limit` passes; returns whether it held.
func eventually(within limit: Duration, every step: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: step)
    }
    return try await condition()
}

/// A free loopback TCP port (bound, read, released: fine for a test that starts a server at once).
func freePort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
