import CharonSupport
import HostCommand
import TestSupport
import Testing

/// `charon-node uninstall` as an operator meets it: its help, the refusal to run unasked without a
/// terminal, and refused state paths. (The steps themselves: UninstallLabTests.)
struct UninstallCLITests {
    @Test func helpNamesEveryStepAndTheFlags() async throws {
        let help = try await BuiltProducts.run("charon-node", ["uninstall", "--help"])
        #expect(help.exitCode == 0)
        for word in ["--yes", "--tailscale-state", "--key-directory", "--api-server", "--output", "--containerd-address", "--node"] {
            #expect(help.standardOutput.contains(word), "\(word) in \(help.standardOutput)")
        }
        for step in ["firewall", "tailscale", "headscale", "dns", "conditions", "image", "state"] {
            #expect(help.standardOutput.contains(step))
        }
        let top = try await BuiltProducts.run("charon-node", ["--help"])
        #expect(top.standardOutput.contains("uninstall"))
    }

    /// stdin is /dev/null here (not a terminal): without --yes nothing runs, and the error says
    /// what to pass.
    @Test func withoutYesAndWithoutATerminalItRefusesAndTouchesNothing() async throws {
        let scratch = try TemporaryDirectory(prefix: "uninstall-refuse")
        try scratch.write("ts/tailscaled.state", "{}")
        let result = try await BuiltProducts.run(
            "charon-node",
            ["uninstall", "--tailscale-state", "\(scratch.path)/ts", "--output", "\(scratch.path)/out/image.tar", "--node", "node1"]
        )
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("--yes"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(POSIXIO.exists("\(scratch.path)/ts/tailscaled.state"))
    }

    @Test func relativeOrRootStatePathsAreRefusedBeforeAnythingRuns() async throws {
        for path in ["relative/folder", "/", "//", "/var/lib/../.."] {
            let result = try await BuiltProducts.run("charon-node", ["uninstall", "--yes", "--node", "node1", "--tailscale-state", path])
            #expect(result.exitCode == 2, "\(path): \(result.standardError)")
            #expect(result.standardError.hasPrefix("error: state path \"\(path)\""), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }
}
