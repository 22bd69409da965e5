import CharonSupport
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Runs a host tool (`ctr`, `tailscale`, `nginx`, `nft`) and collects its output, turning
/// "could not start" and "exited non-zero" into errors an operator can read in one line.
///
/// The tool gets a minimal environment, not charon's: `PATH`, `HOME`, `TMPDIR`, the locale
/// (`LANG`, `LANGUAGE`, `LC_*`, `TZ`) and what the caller passes in `environment`. Whatever else
/// charon holds (`HEADSCALE_API_KEY`, `CLOUDFLARE_API_TOKEN`, a kube token) never reaches a
/// child's `/proc/<pid>/environ`, its crash dumps or its own children.
///
/// ```swift
/// let output = try await HostCommand(executable: "ctr").run(["--address", socket, "version"])
/// ```
public struct HostCommand: Sendable {
    /// A program name looked up on `PATH`, or a path.
    public var executable: String
    /// Variables the child needs beyond the minimal set.
    public var environment: [String: String]
    /// Passes charon's whole environment on instead of the minimal set: only for tests running
    /// charon's own executables, which must see the test's settings.
    public var inheritsEnvironment: Bool

    public init(executable: String, environment: [String: String] = [:]) {
        self.executable = executable
        self.environment = environment
        inheritsEnvironment = false
    }

    /// Names passed from charon's environment to every tool.
    public static let passedNames: Set<String> = ["PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ"]

    /// The child's environment: the minimal subset of `parent` (``passedNames`` and `LC_*`), a
    /// default `PATH` when the parent has none, then `extra`.
    public static func minimalEnvironment(from parent: [String: String], adding extra: [String: String] = [:]) -> [String: String] {
        var result = parent.filter { passedNames.contains($0.key) || $0.key.hasPrefix("LC_") }
        if result["PATH"]?.isEmpty ?? true { result["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        result.merge(extra) { _, added in added }
        return result
    }

    /// Collected result of a finished command.
    public struct Output: Sendable {
        public var exitCode: Int32
        public var standardOutput: String
        public var standardError: String
        public var succeeded: Bool { exitCode == 0 }
    }

    /// A command that could not run or failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var command: String
        public var reason: String
        public var description: String { "\(command): \(reason)" }
    }

    /// Runs to completion and returns the output whatever the exit code.
    public func run(_ arguments: [String], outputLimit: Int = 16 << 20) async throws -> Output {
        do {
            let result = try await Subprocess.run(
                target,
                arguments: Arguments(arguments),
                environment: childEnvironment,
                output: .string(limit: outputLimit),
                error: .string(limit: 1 << 20)
            )
            return Output(
                exitCode: Self.exitCode(result.terminationStatus),
                standardOutput: result.standardOutput,
                standardError: result.standardError
            )
        } catch {
            throw Failure(command: executable, reason: "could not run: \(error)")
        }
    }

    /// Runs a long-lived tool (`nft monitor`) and hands each line of its standard output to
    /// `line` as it arrives, until the tool exits (its exit code is returned) or the calling task is
    /// cancelled (the tool is then stopped, and `CancellationError` thrown). Standard error is
    /// dropped: such tools report there only what their exit code says.
    public func stream(_ arguments: [String], line: (String) async throws -> Void) async throws -> Int32 {
        let result: ExecutionResult<Void, SequenceOutput, DiscardedOutput>
        do {
            result = try await Subprocess.run(
                target,
                arguments: Arguments(arguments),
                environment: childEnvironment,
                input: .none,
                output: .sequence,
                error: .discarded
            ) { execution in
                for try await text in execution.standardOutput.strings() { try await line(text) }
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Failure(command: executable, reason: "could not run: \(error)")
        }
        // Cancelled: the tool was stopped for it, and its exit status says nothing of its own.
        if Task.isCancelled { throw CancellationError() }
        return Self.exitCode(result.terminationStatus)
    }

    /// The program: a path, or a name looked up on `PATH`.
    private var target: Executable { executable.contains("/") ? .path(FilePath(executable)) : .name(executable) }

    /// The minimal environment plus ``environment`` or, for ``inheritsEnvironment``, charon's own.
    private var childEnvironment: Environment {
        if inheritsEnvironment {
            var overrides: [Environment.Key: String?] = [:]
            for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
            return .inherit.updating(overrides)
        }
        var values: [Environment.Key: String] = [:]
        for (key, value) in Self.minimalEnvironment(from: ProcessEnvironment.current, adding: environment) {
            values[Environment.Key(stringLiteral: key)] = value
        }
        return .custom(values)
    }

    /// The exit code as shells report it: a signal's death is 128 + the signal.
    private static func exitCode(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// Runs and throws unless the command exits 0; the error carries the last line of stderr.
    @discardableResult
    public func check(_ arguments: [String], outputLimit: Int = 16 << 20) async throws -> String {
        let output = try await run(arguments, outputLimit: outputLimit)
        guard output.succeeded else {
            throw Failure(command: executable, reason: Self.lastLine(of: output.standardError) ?? "exited with status \(output.exitCode)")
        }
        return output.standardOutput
    }

    /// The last non-empty line of a tool's stderr: Go tools put the real cause there, after any
    /// stack or usage text.
    public static func lastLine(of text: String) -> String? {
        text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }.map(String.init)
    }
}
