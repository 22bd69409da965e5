import ArgumentParser
import Containerd
import Logging
import OCI

/// `charon-node image import TARBALL`: import, verify the digest, pin.
struct ImageImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an image tarball into containerd, verify its digest and pin it."
    )

    @OptionGroup var containerd: ContainerdOptions

    @Flag(help: "Import even when containerd already has this digest.")
    var force = false

    @Argument(help: ArgumentHelp("The image tarball (OCI layout with index.json).", valueName: "tarball"))
    var tarball: String

    func run() async throws {
        LogSetup.bootstrap()
        try await CommandFailure.reporting {
            let image = try ImageArchiveReader.describe(tarball)
            let result = try await ImageImporter(containerd: containerd.client)
                .ensure(reference: image.reference, digest: image.manifestDigest.description, tarball: tarball, force: force)
            print("\(image.reference) \(image.manifestDigest) \(result.imported ? "imported" : "present") pinned")
        }
    }
}
