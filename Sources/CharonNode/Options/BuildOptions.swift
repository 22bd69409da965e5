import Agent
import ArgumentParser
import CharonSupport
import Glibc
import OCI

/// `--spec` and `--output`, shared by `image build`, `image rebuild` and `agent`.
struct BuildOptions: ParsableArguments {
    @Option(name: .setting(.imageSpec), help: ArgumentHelp(NodeSetting.imageSpec.help, valueName: NodeSetting.imageSpec.valueName))
    var spec: String?

    @Option(name: .setting(.imageOutput), help: ArgumentHelp(NodeSetting.imageOutput.help, valueName: NodeSetting.imageOutput.valueName))
    var output: String = Environment.imageOutput

    /// The spec to use: the option, `IMAGE_SPEC`, or the default spec found beside the binary.
    func resolvedSpec() throws -> String {
        if let spec = spec ?? Environment.imageSpec { return spec }
        let executableDirectory = SelfLocation.executableDirectory
        let candidates = [
            "images/tailscale-lifecycle",  // run from a checkout
            "\(executableDirectory)/../../images/tailscale-lifecycle",  // .build/<config>/charon-node
            "\(executableDirectory)/../share/charon-node/images/tailscale-lifecycle",  // make install
            "/usr/share/charon-node/images/tailscale-lifecycle",
        ]
        guard let found = candidates.first(where: { access("\($0)/\(ImageSpec.fileName)", R_OK) == 0 }) else {
            throw ValidationError("no image spec given and none found at \(candidates.joined(separator: ", ")); pass --spec")
        }
        return found
    }

    func builderOptions(progress: ProgressLine? = nil) -> ImageBuilder.Options {
        // charon's own state folder is created on first use (the DaemonSet's hostPath and the
        // unit's StateDirectory= do it too); any other output folder must exist, so a typo in
        // --output is an error rather than a new folder somewhere.
        if output == NodeSetting.imageOutput.defaultValue {
            try? POSIXIO.makeDirectories(POSIXIO.directoryName(of: output), mode: 0o755)
        }
        let epoch = Environment.sourceDateEpoch
        var options = ImageBuilder.Options(output: output, sourceDateEpoch: epoch, executableSearchPath: SelfLocation.executableSearchPath)
        if let progress { options.progress = { progress.report($0) } }
        return options
    }
}
