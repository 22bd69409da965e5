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

    func run() async throws {
        LogSetup.bootstrap()
        try await CommandFailure.reporting {
            let spec = try ImageSpec.load(from: try build.resolvedSpec())
            let progress = ProgressLine.forTerminal()
            defer { progress?.clear() }
            let result = try ImageBuilder(options: build.builderOptions(progress: progress)).build(spec)
            print("\(result.reference) \(result.manifestDigest) \(result.output) \(result.outcome.rawValue)")
        }
    }
}
