import CharonSupport
import Glibc
import HostCommand

/// Finds the executables `swift build` produced next to the running test bundle, and runs them.
///
/// ```swift
/// let result = try await BuiltProducts.run("charon-node", ["image", "build", "--help"])
/// #expect(result.exitCode == 0)
/// ```
public enum BuiltProducts {
    /// `.build/<triple>/<configuration>`: the folder holding the test bundle and the executables.
    public static var directory: String {
        guard let path = realpath("/proc/self/exe", nil) else { return ".build/debug" }
        defer { free(path) }
        var folder = POSIXIO.directoryName(of: String(cString: path))
        // The bundle may be a folder (`…PackageTests.xctest/…`) on some toolchains.
        while folder.contains(".xctest") { folder = POSIXIO.directoryName(of: folder) }
        return folder
    }

    /// Path of a built executable (`charon-node`, `charon-lifecycle`).
    public static func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// The package root (where Package.swift is), found upward from the build folder.
    public static var packageRoot: String {
        var folder = directory
        while folder != "/" && access("\(folder)/Package.swift", F_OK) != 0 {
            folder = POSIXIO.directoryName(of: folder)
        }
        return folder
    }

    /// Runs a built executable with extra environment and returns its exit code and output.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> HostCommand.Output {
        // Our own executables see the test's whole environment (containerd address, CI, ...).
        var command = HostCommand(executable: path(name), environment: environment)
        command.inheritsEnvironment = true
        return try await command.run(arguments)
    }
}

/// Whether this run is CI's: integration prerequisites missing there are failures, not skips.
public enum TestEnvironment {
    public static var isCI: Bool { getenv("CI").map { String(cString: $0) } == "true" }

    /// The version the executables under test were stamped with: the `CHARON_VERSION` the build
    /// saw (`make test` builds and tests with the same environment), else the plugin's default.
    public static var stampedVersion: String { value("CHARON_VERSION") ?? "0.0.0-dev" }

    /// An environment variable set by `make test`, e.g. the private containerd's socket.
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}
