import Subprocess
import SystemPackage

/// Runs a host tool (`ctr`, later `tailscale`, `nginx`, `nft`) and collects its output, turning
/// "could not start" and "exited non-zero" into errors an operator can read in one line.
///
/// ```swift
/// let output = try await HostCommand(executable: "ctr").run(["--address", socket, "version"])
/// ```
public struct HostCommand: Sendable {
    /// A program name looked up on `PATH`, or a path.
    public var executable: String
    /// Extra environment for the child; the rest is inherited.
    public var environment: [String: String]

    public init(executable: String, environment: [String: String] = [:]) {
        self.executable = executable
        self.environment = environment
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
        let target: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
        do {
            let result = try await Subprocess.run(
                target,
                arguments: Arguments(arguments),
                environment: .inherit.updating(overrides),
                output: .string(limit: outputLimit),
                error: .string(limit: 1 << 20)
            )
            let code: Int32 =
                switch result.terminationStatus {
                case .exited(let code): code
                case .signaled(let signal): 128 + signal
                }
            return Output(exitCode: code, standardOutput: result.standardOutput, standardError: result.standardError)
        } catch {
            throw Failure(command: executable, reason: "could not run: \(error)")
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
