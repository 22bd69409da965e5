import CharonSupport
import Glibc
import HostCommand
import Logging

/// Installs rendered server blocks into a host's nginx without ever leaving a bad config in force:
///
/// 1. unchanged text → nothing is written or reloaded;
/// 2. the candidate alone is checked with `nginx -t` inside a throwaway main config (syntax,
///    certificates and keys load) — a failure stops here with nothing touched;
/// 3. it is renamed into place atomically and the host's full config is checked with `nginx -t`
///    (clashes with other sites); a failure puts the previous file back, still without a reload;
/// 4. nginx is reloaded, so the running server only ever loads a config that passed `nginx -t`.
///
/// ```swift
/// let configurator = NginxConfigurator(output: "/etc/nginx/conf.d/charon-ingress.conf")
/// let outcome = try await configurator.install(NginxConfigRenderer().render(list))
/// ```
public struct NginxConfigurator: Sendable {
    /// How nginx is started (the tests add `ip netns exec`).
    public var nginx: CommandLauncher
    /// `-p` and `-c` for the host's nginx; nil means nginx's compiled-in defaults.
    public var prefix: String?
    public var mainConfig: String?
    /// The file of server blocks this tool owns, included by the main config.
    public var output: String
    /// Whether to run `nginx -s reload` after installing.
    public var reload: Bool

    public init(
        output: String,
        nginx: CommandLauncher = CommandLauncher(["nginx"]),
        prefix: String? = nil,
        mainConfig: String? = nil,
        reload: Bool = true
    ) {
        self.output = output
        self.nginx = nginx
        self.prefix = prefix
        self.mainConfig = mainConfig
        self.reload = reload
    }

    public enum Outcome: String, Sendable {
        /// The file already held this text; nothing was done.
        case unchanged
        /// Written, checked and (when enabled) reloaded.
        case installed
    }

    @discardableResult
    public func install(_ text: String, logger: Logger? = nil) async throws -> Outcome {
        let previous = try? POSIXIO.readFile(output)
        if let previous, previous == Array(text.utf8) { return .unchanged }

        try await checkAlone(text)

        do {
            try AtomicFile.write(Array(text.utf8), to: output, mode: 0o644)
        } catch {
            throw NginxConfigError.installFailed("write \(output): \(error)")
        }
        let full = try await nginx.run(hostArguments + ["-t"])
        guard full.succeeded else {
            try restore(previous)
            throw NginxConfigError.rejected("with the host's config: \(Self.cause(full.standardError))")
        }
        logger?.info("nginx config \(output) installed")
        if reload {
            let reloaded = try await nginx.run(hostArguments + ["-s", "reload"])
            guard reloaded.succeeded else {
                throw NginxConfigError.installFailed(
                    "\(output) is installed and valid but nginx -s reload failed: \(Self.cause(reloaded.standardError))"
                )
            }
        }
        return .installed
    }

    /// `nginx -t` on the candidate inside a minimal main config in a private temporary folder.
    public func checkAlone(_ text: String) async throws {
        let folder = try TemporaryFiles.makeFolder(prefix: "charon-nginx")
        defer { TemporaryFiles.removeTree(folder) }
        let candidate = "\(folder)/candidate.conf"
        let wrapper = "\(folder)/nginx.conf"
        try AtomicFile.write(Array(text.utf8), to: candidate, mode: 0o600)
        try AtomicFile.write(Array(Self.wrapperConfig(folder: folder, include: candidate).utf8), to: wrapper, mode: 0o600)
        let output = try await nginx.run(["-t", "-q", "-p", folder, "-c", wrapper])
        guard output.succeeded else {
            throw NginxConfigError.rejected(Self.cause(output.standardError).replacingCandidate(candidate))
        }
    }

    /// The smallest main config that loads server blocks; every path nginx would write is in `folder`.
    static func wrapperConfig(folder: String, include: String) -> String {
        """
        pid \(folder)/nginx.pid;
        error_log \(folder)/error.log;
        events {}
        http {
            client_body_temp_path \(folder)/body;
            proxy_temp_path \(folder)/proxy;
            fastcgi_temp_path \(folder)/fastcgi;
            uwsgi_temp_path \(folder)/uwsgi;
            scgi_temp_path \(folder)/scgi;
            include \(include);
        }

        """
    }

    private var hostArguments: [String] {
        (prefix.map { ["-p", $0] } ?? []) + (mainConfig.map { ["-c", $0] } ?? [])
    }

    private func restore(_ previous: [UInt8]?) throws {
        do {
            if let previous {
                try AtomicFile.write(previous, to: output, mode: 0o644)
            } else if unlink(output) != 0 && errno != ENOENT {
                throw SystemError(operation: "remove", path: output)
            }
        } catch {
            throw NginxConfigError.installFailed("the host's nginx -t failed and \(output) could not be restored: \(error)")
        }
    }

    /// nginx's first `[emerg]`/`[crit]` line without the "nginx: " prefix, else its last line.
    static func cause(_ standardError: String) -> String {
        let lines = standardError.split(whereSeparator: \.isNewline).map(String.init)
        let line = lines.first { $0.contains("[emerg]") || $0.contains("[crit]") || $0.contains("[alert]") } ?? lines.last ?? "no message"
        return line.hasPrefix("nginx: ") ? String(line.dropFirst(7)) : line
    }

}

extension String {
    /// Points messages at "the new config" rather than a temporary path that no longer exists.
    fileprivate func replacingCandidate(_ path: String) -> String {
        split(separator: path, omittingEmptySubsequences: false).joined(separator: "the new config")
    }
}
