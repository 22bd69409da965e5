import CharonSupport
import Glibc
import OCI

/// Runs a build as `<executable> image build --spec <spec> --output <output>`, a short-lived child
/// process, and reads back its one-line result.
///
/// The daemon builds this way (``AgentConfiguration/buildExecutable``) to stay small: the spec
/// parser (libyaml), libarchive and the layer writer run in the child, so their pages of the binary are mapped into the child and leave with it. The build
/// itself is the same: same lock beside the tarball, same record, same bytes; a child that finds
/// nothing changed answers from the record in a few milliseconds.
///
/// ```swift
/// let result = try ChildImageBuild(executable: "/usr/local/bin/charon-node")
///     .run(spec: "images/tailscale-lifecycle", options: .init(output: "/var/lib/charon-node/tailscale-lifecycle-image.tar"))
/// result.manifestDigest, result.outcome
/// ```
public struct ChildImageBuild: Sendable {
    /// A `charon-node` executable (the agent's own: `/proc/self/exe`).
    public var executable: String

    public init(executable: String) {
        self.executable = executable
    }

    /// The child could not run, failed, or printed no result.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Blocks until the child exits: call it off the cooperative pool, like an in-process build.
    /// The builder's progress callback and search path are the child's own (beside its binary,
    /// then `PATH`); `SOURCE_DATE_EPOCH` is passed on.
    public func run(spec: String, options: ImageBuilder.Options) throws -> ImageBuilder.Result {
        try runReportingPaths(spec: spec, options: options).result
    }

    /// ``run(spec:options:)``, and the paths whose stat a no-op build depends on, as the child
    /// reported them (`ImageBuilder.checkedPaths(of:)`).
    func runReportingPaths(spec: String, options: ImageBuilder.Options) throws -> (result: ImageBuilder.Result, checkedPaths: [String]) {
        // Output and errors go to an unlinked file beside the tarball (the folder the build
        // writes anyway; the root filesystem may be read-only): nothing to drain while waiting.
        let (log, logPath) = try TemporaryFiles.makeFile(
            prefix: ".\(POSIXIO.baseName(of: options.output)).build-log-",
            in: POSIXIO.directoryName(of: options.output)
        )
        unlink(logPath)
        defer { close(log) }

        let arguments = [executable, "image", "build", "--spec", spec, "--output", options.output, "--print-checked-paths"]
        let status = try Self.spawnAndWait(arguments, environment: Self.environment(options), output: log)
        let text = Self.readAll(log)
        let lines = text.split(separator: "\n").map(String.init)
        guard status == 0 else {
            let reason = lines.last(where: { !$0.isEmpty }) ?? "no output"
            throw Failure(description: "the build (a child `image build`) exited with status \(status): \(reason)")
        }
        // `<reference> <manifest digest> <output> <outcome>`, the command's last line.
        for line in lines.reversed() {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, let digest = Digest(parsing: fields[1]), let outcome = ImageBuilder.Outcome(rawValue: fields[3]) else {
                continue
            }
            var info = stat()
            guard stat(fields[2], &info) == 0 else { throw SystemError(operation: "stat", path: fields[2]) }
            let result = ImageBuilder.Result(
                reference: fields[0],
                manifestDigest: digest,
                output: fields[2],
                outcome: outcome,
                size: Int64(info.st_size)
            )
            return (result, lines.filter { $0.hasPrefix("input\t") }.map { String($0.dropFirst(6)) })
        }
        throw Failure(description: "the build (a child `image build`) printed no result: \(lines.last ?? "")")
    }

    /// The agent's environment with the build's epoch, and logs at warning and above (what an
    /// in-process build logs in the agent too).
    static func environment(_ options: ImageBuilder.Options) -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let variable = String(cString: pointer)
            if !variable.hasPrefix("SOURCE_DATE_EPOCH=") && !variable.hasPrefix("LOG_LEVEL=") { result.append(variable) }
            entry += 1
        }
        let current = getenv("LOG_LEVEL").map { String(cString: $0).lowercased() }
        let level = current.flatMap { ["error", "critical"].contains($0) ? $0 : nil } ?? "warning"
        return result + ["SOURCE_DATE_EPOCH=\(options.sourceDateEpoch)", "LOG_LEVEL=\(level)"]
    }

    /// `posix_spawn` with stdin from /dev/null, stdout and stderr to `output`, default signal
    /// handling and an empty signal mask (the agent's own handlers and masks stay with it).
    static func spawnAndWait(_ arguments: [String], environment: [String], output: Int32) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw SystemError(operation: "run", path: arguments[0], code: spawned) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemError(operation: "wait for", path: arguments[0]) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    static func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var offset: off_t = 0
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
            offset += off_t(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
