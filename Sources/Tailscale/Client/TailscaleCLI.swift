import HostCommand

/// The `tailscale` command line, for a tailscaled running on this host.
///
/// ```swift
/// let cli = TailscaleCLI(executable: "/usr/bin/tailscale")
/// let status = try await cli.status()   // `tailscale status --json`, exit 0 in every state
/// try await cli.up(options, redacting: [key])
/// try await cli.logout()               // charon-node uninstall
/// ```
public struct TailscaleCLI: TailscaleControl {
    /// `tailscale` on PATH, or a path.
    public var executable: String
    /// tailscaled's socket (`--socket`); nil uses the CLI's default.
    public var socket: String?

    public init(executable: String = "tailscale", socket: String? = nil) {
        self.executable = executable
        self.socket = socket
    }

    private var globalArguments: [String] { socket.map { ["--socket=\($0)"] } ?? [] }

    public func status() async throws -> TailscaleStatus {
        let output: HostCommand.Output
        do {
            output = try await HostCommand(executable: executable).run(globalArguments + ["status", "--json"])
        } catch {
            throw TailscaleError.commandFailed("tailscale status: \(error)")
        }
        // status --json exits 0 in every backend state; non-zero means tailscaled is unreachable.
        guard output.succeeded else {
            throw TailscaleError.commandFailed(
                "tailscale status: \(HostCommand.lastLine(of: output.standardError) ?? "exited with status \(output.exitCode)")"
            )
        }
        return try TailscaleStatus.decode(Array(output.standardOutput.utf8))
    }

    /// Runs `tailscale logout`: tailscaled disconnects, forgets its node key and asks the control
    /// server to expire it. Throws with the CLI's last line when it fails.
    public func logout() async throws {
        let output: HostCommand.Output
        do {
            output = try await HostCommand(executable: executable).run(globalArguments + ["logout"])
        } catch {
            throw TailscaleError.commandFailed("tailscale logout: \(error)")
        }
        guard output.succeeded else {
            let reason =
                HostCommand.lastLine(of: output.standardError) ?? HostCommand.lastLine(of: output.standardOutput)
                ?? "exited with status \(output.exitCode)"
            throw TailscaleError.commandFailed(AuthKeyRedaction.redact("tailscale logout: \(reason)", knownKeys: []))
        }
    }

    /// Runs `tailscale up`; any error text has `keys` (and any key-looking token) redacted.
    public func up(_ options: TailscaleUpOptions, redacting keys: [String] = []) async throws {
        let output: HostCommand.Output
        do {
            output = try await HostCommand(executable: executable).run(globalArguments + options.arguments)
        } catch {
            throw TailscaleError.commandFailed(AuthKeyRedaction.redact("tailscale up: \(error)", knownKeys: keys))
        }
        guard output.succeeded else {
            let reason =
                HostCommand.lastLine(of: output.standardError) ?? HostCommand.lastLine(of: output.standardOutput)
                ?? "exited with status \(output.exitCode)"
            throw TailscaleError.commandFailed(AuthKeyRedaction.redact("tailscale up: \(reason)", knownKeys: keys))
        }
    }
}
