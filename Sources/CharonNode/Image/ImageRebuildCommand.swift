import ArgumentParser
import Containerd
import Logging
import OCI

/// `charon-node image rebuild`: the manual rebuild on one node (build + import + verify + pin).
struct ImageRebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Build the image and make sure containerd has exactly it, pinned.",
        discussion: "With nothing changed, nothing is rewritten and nothing is imported."
    )

    @OptionGroup var build: BuildOptions
    @OptionGroup var containerd: ContainerdOptions

    @Flag(help: "Import even when containerd already has this digest.")
    var force = false

    func run() async throws {
        LogSetup.bootstrap()
        try await CommandFailure.reporting {
            let spec = try ImageSpec.load(from: try build.resolvedSpec())
            let progress = ProgressLine.forTerminal()
            let built = try ImageBuilder(options: build.builderOptions(progress: progress)).build(spec)
            progress?.clear()
            let imported = try await ImageImporter(containerd: containerd.client)
                .ensure(reference: built.reference, digest: built.manifestDigest.description, tarball: built.output, force: force)
            print(
                "\(built.reference) \(built.manifestDigest) \(built.output) \(built.outcome.rawValue) \(imported.imported ? "imported" : "present") pinned"
            )
        }
    }
}
