import CharonSupport
import Glibc
import HostCommand
import TestSupport
import Testing

/// Bad input through the real CLI: a clear one-line error, a non-zero exit, and the previous tarball
/// at the destination left exactly as it was.
@Suite("charon-node image with bad input", .serialized)
struct ImageCLIBadInputTests {
    static let goodSpec = """
        reference: localhost/bad-input:latest
        layers:
          - contents:
              - file: data.bin
                destination: /data.bin
        """

    /// A folder with a spec and a first, good tarball built from it.
    struct Fixture {
        let scratch: TemporaryDirectory
        let specFolder: String
        let output: String
        let previous: [UInt8]

        init(outputFolder: String? = nil, dataSize: Int = 4096) async throws {
            scratch = try TemporaryDirectory()
            specFolder = "\(scratch.path)/spec"
            try scratch.write("spec/image.yaml", ImageCLIBadInputTests.goodSpec)
            try scratch.write("spec/data.bin", String(repeating: "a", count: dataSize))
            output = "\(outputFolder ?? scratch.path)/image.tar"
            let first = try await BuiltProducts.run("charon-node", ["image", "build", "--spec", specFolder, "--output", output])
            #expect(first.exitCode == 0, "\(first.standardError)")
            previous = try POSIXIO.readFile(output)
        }

        func build() async throws -> HostCommand.Output {
            try await BuiltProducts.run("charon-node", ["image", "build", "--spec", specFolder, "--output", output])
        }

        func expectPreviousIntact() throws {
            #expect(try POSIXIO.readFile(output) == previous, "the previous tarball was modified")
            let folder = POSIXIO.directoryName(of: output)
            let listing = try POSIXIO.listDirectory(folder)
            #expect(!listing.contains { $0.contains(".tmp-") }, "temporary files left in \(folder): \(listing)")
        }
    }

    static func errorLine(_ output: HostCommand.Output) -> String {
        output.standardError.split(separator: "\n").first { $0.hasPrefix("error: ") }.map(String.init) ?? "(no error line) \(output.standardError)"
    }

    @Test(arguments: [
        ("reference: [oops", "is not valid YAML"),
        ("reference: localhost/x\nlayers:\n  - contents:\n      - file: nowhere.bin\n        destination: /x", "which does not exist"),
        ("reference: localhost/x\nlayers:\n  - contents:\n      - file: data.bin\n        destination: ../../etc/shadow", "escapes the image root"),
    ])
    func badSpecs(text: String, message: String) async throws {
        let fixture = try await Fixture()
        try fixture.scratch.write("spec/image.yaml", text)
        let result = try await fixture.build()
        #expect(result.exitCode == 2)
        #expect(Self.errorLine(result).contains(message), "got: \(Self.errorLine(result))")
        try fixture.expectPreviousIntact()
    }

    @Test func readOnlyOutputFolder() async throws {
        let mountPoint = try TemporaryDirectory(prefix: "ro")
        try await HostCommand(executable: "mount").check(["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.path])
        defer { umount2(mountPoint.path, Int32(MNT_DETACH)) }
        let fixture = try await Fixture(outputFolder: mountPoint.path)
        try await HostCommand(executable: "mount").check(["-o", "remount,ro", mountPoint.path])
        try fixture.scratch.write("spec/data.bin", "changed")
        let result = try await fixture.build()
        #expect(result.exitCode == 1)
        #expect(
            Self.errorLine(result).contains(mountPoint.path) && Self.errorLine(result).contains("Read-only file system"),
            "got: \(Self.errorLine(result))"
        )
        try fixture.expectPreviousIntact()
    }

    @Test func fullDisk() async throws {
        let mountPoint = try TemporaryDirectory(prefix: "full")
        // Room for one tarball with a 3 MiB file, not for a second one beside it.
        try await HostCommand(executable: "mount").check(["-t", "tmpfs", "-o", "size=5m", "tmpfs", mountPoint.path])
        defer { umount2(mountPoint.path, Int32(MNT_DETACH)) }
        let fixture = try await Fixture(outputFolder: mountPoint.path, dataSize: 3 << 20)
        try fixture.scratch.write("spec/data.bin", String(repeating: "b", count: 3 << 20))
        let result = try await fixture.build()
        #expect(result.exitCode == 1)
        #expect(Self.errorLine(result).contains("No space left on device"), "got: \(Self.errorLine(result))")
        try fixture.expectPreviousIntact()
    }

    @Test func outputFolderMissing() async throws {
        let fixture = try await Fixture()
        let result = try await BuiltProducts.run(
            "charon-node",
            ["image", "build", "--spec", fixture.specFolder, "--output", "\(fixture.scratch.path)/no/such/dir/image.tar"]
        )
        #expect(result.exitCode == 1)
        #expect(Self.errorLine(result).contains("\(fixture.scratch.path)/no/such/dir"), "got: \(Self.errorLine(result))")
    }

    @Test func missingContainerdSocket() async throws {
        let fixture = try await Fixture()
        let socket = "\(fixture.scratch.path)/nothing.sock"
        let result = try await BuiltProducts.run("charon-node", ["image", "import", "--containerd-address", socket, fixture.output])
        #expect(result.exitCode == 1)
        #expect(Self.errorLine(result) == "error: containerd socket \(socket) does not exist (is containerd running?)")
    }

    @Test func deadContainerdSocket() async throws {
        let fixture = try await Fixture()
        let socket = "\(fixture.scratch.path)/dead.sock"
        // Bound but never listening: what a crashed containerd leaves behind.
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socket.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let result = try await BuiltProducts.run(
            "charon-node",
            ["image", "rebuild", "--spec", fixture.specFolder, "--output", fixture.output, "--containerd-address", socket]
        )
        #expect(result.exitCode == 1)
        #expect(Self.errorLine(result).contains("connection refused"), "got: \(Self.errorLine(result))")
        #expect(!result.standardError.contains("goroutine"), "a Go stack reached the user")
        try fixture.expectPreviousIntact()
    }

    @Test func notAnImageTarball() async throws {
        let scratch = try TemporaryDirectory()
        let bogus = try scratch.write("bogus.tar", "not a tar at all")
        let socket = try await PrivateContainerd.address()
        let result = try await BuiltProducts.run("charon-node", ["image", "import", "--containerd-address", socket, bogus])
        #expect(result.exitCode == 1)
        #expect(Self.errorLine(result).contains("\(bogus) is not a readable image tarball"), "got: \(Self.errorLine(result))")
    }
}
