import ArgumentParser
import Logging
import OCI

/// `charon-node image build`: spec → reproducible OCI tarball.
struct ImageBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an image tarball from a spec.",
        discussion: "With unchanged inputs nothing is read or written; the command says so and exits 0."
    )

    @OptionGroup var build: BuildOptions

    /// For the agent, which runs builds as this command: `input<TAB>path` lines before the result,
    /// the paths whose stat a no-op build depends on (`ImageBuilder.checkedPaths(of:)`).
    @Flag(help: .hidden) var printCheckedPaths = false

    func run() async throws {
        LogSetup.bootstrap()
        try await CommandFailure.reporting {
            let spec = try ImageSpec.load(from: try build.resolvedSpec())
            let progress = ProgressLine.forTerminal()
            defer { progress?.clear() }
            let builder = ImageBuilder(options: build.builderOptions(progress: progress))
            let result = try builder.build(spec)
            if printCheckedPaths {
                for path in try builder.checkedPaths(of: spec) { print("input\t\(path)") }
            }
            print("\(result.reference) \(result.manifestDigest) \(result.output) \(result.outcome.rawValue)")
        }
    }
}
