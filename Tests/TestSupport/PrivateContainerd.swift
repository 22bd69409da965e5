import CharonSupport
import HostCommand

/// The private containerd the integration tests import into: its own root, state and socket under
/// the build folder, never the host's. `make test` starts it and exports
/// `CHARON_TEST_CONTAINERD_ADDRESS`; run alone, the tests start it with the same script.
///
/// ```swift
/// let socket = try await PrivateContainerd.address()
/// ```
public enum PrivateContainerd {
    public static func address() async throws -> String {
        if let address = TestEnvironment.value("CHARON_TEST_CONTAINERD_ADDRESS") { return address }
        let root = BuiltProducts.packageRoot
        let output = try await HostCommand(executable: "\(root)/scripts/private-containerd.sh")
            .check(["start", "\(root)/.build/containerd-test"])
        return String(output.split(whereSeparator: \.isNewline).last ?? "")
    }

    /// `ctr` against the private containerd, in `namespace`.
    public static func ctr(_ arguments: [String], namespace: String) async throws -> HostCommand.Output {
        try await HostCommand(executable: "ctr").run(["--address", try await address(), "--namespace", namespace] + arguments)
    }
}
