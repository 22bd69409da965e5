import HostCommand
import TestSupport

/// The agent's own image (images/charon-node), built by the charon-node under test and imported
/// into the private containerd as `localhost/charon-node:latest`, for tests that run it there.
///
/// ```swift
/// let rebuild = try await AgentImage.rebuild(in: scratch, namespace: namespace)
/// #expect(rebuild.exitCode == 0, "\(rebuild.standardError)")
/// ```
enum AgentImage {
    static let reference = "localhost/charon-node:latest"

    static func rebuild(in scratch: TemporaryDirectory, namespace: String) async throws -> HostCommand.Output {
        try await BuiltProducts.run(
            "charon-node",
            [
                "image", "rebuild", "--spec", "\(BuiltProducts.packageRoot)/images/charon-node", "--output", "\(scratch.path)/charon-node.tar",
                "--containerd-address", try await PrivateContainerd.address(), "--namespace", namespace,
            ]
        )
    }
}
