import Foundation
import TestSupport
import Testing

/// The CLI's own words: version, help and argument errors, compared as a user sees them.
@Suite("charon-node and charon-lifecycle output")
struct CLIOutputTests {
    @Test(arguments: ["charon-node", "charon-lifecycle"])
    func versionIsTheStampedOne(executable: String) async throws {
        let result = try await BuiltProducts.run(executable, ["--version"])
        #expect(result.exitCode == 0)
        #expect(result.standardOutput == "\(TestEnvironment.stampedVersion)\n")
    }

    /// `--build-info`: the JSON the image builder reads from the binary for the SBOM, with the
    /// same version `--version` prints and the Swift packages this executable links (and only
    /// those: charon-lifecycle must not carry the server stack).
    @Test(arguments: ["charon-node", "charon-lifecycle"])
    func buildInfoNamesTheVersionAndTheLinkedPackages(executable: String) async throws {
        let result = try await BuiltProducts.run(executable, ["--build-info"])
        #expect(result.exitCode == 0)
        let info = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(info["name"] as? String == executable)
        #expect(info["version"] as? String == TestEnvironment.stampedVersion)
        let packages = (info["swiftPackages"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(packages.contains("swift-argument-parser") && packages.contains("swift-log"))
        #expect(packages.contains("swift-nio") == (executable == "charon-node"), "\(packages)")
        #expect(!packages.contains("hummingbird") && !packages.contains("Yams"), "test-only packages: \(packages)")
        for package in info["swiftPackages"] as? [[String: Any]] ?? [] {
            #expect((package["version"] as? String)?.first?.isNumber == true, "\(package)")
        }
    }

    @Test func imageHelpListsTheThreeSteps() async throws {
        let result = try await BuiltProducts.run("charon-node", ["image", "--help"])
        #expect(result.exitCode == 0)
        #expect(
            result.standardOutput == """
                OVERVIEW: Build, import or rebuild an image from a spec in images/.

                USAGE: charon-node image <subcommand>

                OPTIONS:
                  --version               Show the version.
                  -h, --help              Show help information.

                SUBCOMMANDS:
                  build                   Build an image tarball from a spec.
                  import                  Import an image tarball into containerd, verify its
                                          digest and pin it.
                  rebuild                 Build the image and make sure containerd has exactly
                                          it, pinned.

                  See 'charon-node help image <subcommand>' for detailed help.

                """
        )
    }

    @Test func everyRebuildOptionHasHelpAndItsEnvironmentVariable() async throws {
        let result = try await BuiltProducts.run("charon-node", ["image", "rebuild", "--help"])
        #expect(result.exitCode == 0)
        // Help wraps with the terminal width: compare with runs of white space folded.
        let folded = result.standardOutput.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for expected in [
            "--spec <path> Image spec folder or file (env IMAGE_SPEC).",
            "--output <path> Where the image tarball is written (env IMAGE_OUTPUT). (default: /var/lib/charon-node/tailscale-lifecycle-image.tar)",
            "--containerd-address <socket> containerd socket (env CONTAINERD_ADDRESS). (default: /run/containerd/containerd.sock)",
            "--namespace <name> containerd namespace; kubelet uses k8s.io (env CONTAINERD_NAMESPACE). (default: k8s.io)",
            "--force Import even when containerd already has this digest.",
        ] {
            #expect(folded.contains(expected), "missing: \(expected)")
        }
    }

    @Test func environmentSetsTheDefaults() async throws {
        let scratch = try TemporaryDirectory()
        let result = try await BuiltProducts.run(
            "charon-node",
            ["image", "build"],
            environment: ["IMAGE_SPEC": "\(BuiltProducts.packageRoot)/images/tailscale-lifecycle", "IMAGE_OUTPUT": "\(scratch.path)/env.tar"]
        )
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains(" \(scratch.path)/env.tar written"))
    }

    @Test func importWithoutATarballIsAUsageError() async throws {
        let result = try await BuiltProducts.run("charon-node", ["image", "import"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("Error: Missing expected argument '<tarball>'"))
    }
}
