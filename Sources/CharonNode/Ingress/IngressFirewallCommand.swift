import ArgumentParser
import Ingress

/// `charon-node ingress firewall`: ports 80/443 only on the Tailscale interface and loopback, and
/// the Tailscale interface closed to all but the tailnet ports.
struct IngressFirewallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall",
        abstract: "Install (or with --check, verify) the nftables table that keeps ports 80/443 VPN-only.",
        discussion: """
            One `inet` table, charon_ingress, replaced atomically with `nft -f`: TCP 80/443 addressed \
            to this node is dropped unless it arrives on the Tailscale interface or lo, and a new \
            connection arriving on the Tailscale interface is dropped unless it is TCP to one of the \
            tailnet ports (INGRESS_TAILNET_PORTS) or ICMP (IPv4 and IPv6). Nothing else in the \
            ruleset is read or changed. `ingress down` removes it.
            """
    )

    @OptionGroup var ingress: IngressOptions

    @Flag(help: "Only compare the kernel's table with the policy: exit 0 in place, 1 missing or drifted.")
    var check = false

    @Flag(
        help: """
            Install the table, then keep it: follow nftables' change events and restore the table \
            whenever it is deleted, flushed or edited. Runs until SIGTERM; the table stays.
            """
    )
    var watch = false

    func run() async throws {
        LogSetup.bootstrap()
        let firewall = try CommandFailure.checkingInput { try ingress.firewall() }
        if check && watch { throw ValidationError("--check and --watch exclude each other") }
        try await CommandFailure.reporting {
            if watch {
                try await Self.watch(firewall)
                return
            }
            if check {
                let state = try await firewall.inspect()
                print("table inet \(firewall.policy.tableName): \(state)")
                if state != .inPlace { throw ExitCode(1) }
                return
            }
            let before = try await firewall.reconcile()
            print(
                before == .inPlace
                    ? "table inet \(firewall.policy.tableName): in place, unchanged"
                    : "table inet \(firewall.policy.tableName): applied (was \(before)): \(firewall.policy.ruleTexts.joined(separator: "; "))"
            )
        }
    }

    /// The native sidecar beside each internal controller: the table is put back within
    /// milliseconds of a change, and stays when the watcher stops.
    static func watch(_ firewall: Firewall) async throws {
        let table = firewall.policy.tableName
        // One line per event, written as it happens (print's stdout is block-buffered in a pipe).
        @Sendable func say(_ line: String) {
            var output = UnbufferedOutput.standardOutput
            print(line, to: &output)
        }
        let watcher = FirewallWatcher(
            firewall: firewall,
            onCheck: { state in say(state == .inPlace ? "table inet \(table): in place" : "table inet \(table): restoring (was \(state))") },
            onWatching: { say("table inet \(table): in place; watching the ruleset") }
        )
        let loop = Task { try await watcher.run() }
        let stop = StopSignalWatcher { loop.cancel() }
        defer { withExtendedLifetime(stop) {} }
        do {
            try await loop.value
        } catch is CancellationError {}
        // Only a stop signal ends the watch (the watcher runs until cancelled, or throws).
        say("table inet \(table): left in place; stopped watching")
    }
}
