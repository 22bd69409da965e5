import ArgumentParser
import CharonSupport

/// `charon-node`: the node agent and the operator CLI in one binary.
@main
struct CharonNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charon-node",
        abstract: "Builds, imports and keeps the tailscale-lifecycle image on this node.",
        discussion: """
            Every option can also be set through the environment variable named in its help,
            which is how the DaemonSet and the systemd unit configure it.
            """,
        version: CharonVersion.current,
        subcommands: [ImageCommand.self, AgentCommand.self, StatusCommand.self, IngressCommand.self, FleetCommand.self, UninstallCommand.self]
    )

    /// `--build-info` prints what this binary is built from (version, compiler, Swift packages),
    /// the JSON the image builder reads from it for the SBOM; everything else is ArgumentParser's.
    static func main() async {
        if CommandLine.arguments.dropFirst() == [BuildInfoText.flag] {
            print(BuildInfoText.json(from: EmbeddedBuildInfo.marked))
            return
        }
        await main(nil)
    }
}
