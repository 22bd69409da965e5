import ArgumentParser
import CharonSupport
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `charon-lifecycle`: entrypoint of the tailscale-lifecycle image.
@main
struct CharonLifecycle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charon-lifecycle",
        abstract: "Headscale and Cloudflare housekeeping for a service pod's Tailscale sidecar.",
        discussion: """
            Runs as the init container `lifecycle-cleanup` (cleanup) and the sidecar
            `lifecycle-dns-create` (dns-create) of a service pod. Configured by environment variables;
            each may also be given as a flag. Exit status: 0 done, 1 failure, 2 bad configuration.
            """,
        version: CharonVersion.current,
        subcommands: [CleanupCommand.self, DNSCreateCommand.self]
    )

    /// Parses, runs, and maps every ending to the exit codes of docs/lifecycle.md
    /// (ArgumentParser's own usage errors would exit 64: here they are bad configuration, 2).
    static func main() async {
        // First: a SIGTERM from here on is never lost, whichever thread takes it (StopSignals).
        StopSignals.install()
        if CommandLine.arguments.dropFirst() == [BuildInfoText.flag] {
            print(BuildInfoText.json(from: EmbeddedBuildInfo.marked))
            Glibc.exit(0)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = (getenv("LOG_LEVEL").map { Logger.Level(rawValue: String(cString: $0)) } ?? nil) ?? .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Glibc.exit(0)
        } catch let ending as LifecycleExit {
            writeError("\(ending)")
            Glibc.exit(ending.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version.
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            writeError(fullMessage(for: error))
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Writes one line to standard error (unbuffered, so it is out before exit).
func writeError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
