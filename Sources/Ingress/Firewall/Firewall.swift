import HostCommand
import Logging

/// Applies, checks and removes the ingress ``FirewallPolicy`` with `nft`.
///
/// Only charon's own table is ever listed, replaced or deleted; the rest of the ruleset (kube-proxy,
/// Tailscale's own `ts-*` chains, the distribution's firewall) is left alone.
///
/// ```swift
/// let firewall = Firewall(policy: try FirewallPolicy())
/// if try await firewall.reconcile() != .inPlace { log.notice("firewall repaired") }
/// try await firewall.remove()   // charon-node ingress down
/// ```
public struct Firewall: Sendable {
    public var policy: FirewallPolicy
    /// How `nft` is started (the tests run it inside a network namespace).
    public var nft: CommandLauncher

    public init(policy: FirewallPolicy, nft: CommandLauncher = CommandLauncher(["nft"])) {
        self.policy = policy
        self.nft = nft
    }

    /// Replaces charon's table with the policy in one atomic transaction.
    public func apply() async throws {
        try await runScript(policy.applyScript)
    }

    /// Deletes charon's table; succeeds when it is already absent.
    public func remove() async throws {
        try await runScript(policy.removeScript)
    }

    /// Reads charon's table back and compares it with the policy.
    public func inspect() async throws -> FirewallState {
        let output = try await nft.run(["-j", "list", "table", "inet", policy.tableName])
        guard output.succeeded else {
            // nft says "No such file or directory" for a missing table; anything else is a failure.
            if output.standardError.contains("No such file or directory") { return .missing }
            throw FirewallError.commandFailed(HostCommand.lastLine(of: output.standardError) ?? "nft exited with status \(output.exitCode)")
        }
        let listing: JSONValue
        do {
            listing = try JSONValue.parse(output.standardOutput)
        } catch {
            throw FirewallError.unreadableListing("not JSON: \(error)")
        }
        return try policy.state(ofListing: listing)
    }

    /// Checks and repairs: applies the policy unless it is in place. Returns what was found
    /// before any repair, so the caller can report drift.
    @discardableResult
    public func reconcile(logger: Logger? = nil) async throws -> FirewallState {
        let state = try await inspect()
        if state != .inPlace {
            logger?.notice("ingress firewall \(state); applying table inet \(policy.tableName)")
            try await apply()
        }
        return state
    }

    private func runScript(_ script: String) async throws {
        let file = try ScratchFile(contents: script, suffix: ".nft")
        let output = try await nft.run(["-f", file.path])
        guard output.succeeded else {
            // nft prints `file:line:col: Error: what`, then the rule and a caret line: the first
            // says what went wrong.
            let error = output.standardError.split(separator: "\n").first { $0.contains("Error:") }.map(String.init)
            throw FirewallError.commandFailed(
                "\(nft.displayName) -f: \(error ?? HostCommand.lastLine(of: output.standardError) ?? "exited with status \(output.exitCode)")"
            )
        }
    }
}
