import CharonSupport
import Foundation
import HostCommand
import TestSupport
import Testing

/// The SBOM of both shipped images, checked against dpkg itself (`dpkg-query`, not charon's
/// reading of dpkg's files) and against SPDX's own validator: every Debian package any file of the
/// image comes from is listed with dpkg's exact version and has its `status.d` record in the image;
/// the executables are listed with the version they print; the document passes `pyspdxtools`, is
/// byte-identical when built again elsewhere, and is the same inside the image as beside it.
@Suite("image SBOM", .serialized)
struct ImageSBOMTests {
    typealias Object = [String: Any]

    static let pyspdxtools = "\(BuiltProducts.packageRoot)/.build/tools/venv/bin/pyspdxtools"

    @Test(arguments: [("tailscale-lifecycle", ["charon-lifecycle"]), ("charon-node", ["charon-lifecycle", "charon-node"])])
    func sbomListsEveryPackageOfTheImage(spec: String, executables: [String]) async throws {
        let scratch = try TemporaryDirectory()
        let first = try await Self.build(spec, into: "\(scratch.path)/a")
        let second = try await Self.build(spec, into: "\(scratch.path)/other-folder")
        #expect(first.digest == second.digest, "the same inputs give the same image")
        #expect(first.sbom == second.sbom, "the same inputs give the same SBOM bytes")

        let validation = try await HostCommand(executable: Self.pyspdxtools).run(["-i", "\(scratch.path)/a/image.tar.spdx.json"])
        #expect(validation.exitCode == 0, "pyspdxtools: \(validation.standardOutput)\(validation.standardError)")

        let root = "\(scratch.path)/root"
        try await Self.unpack("\(scratch.path)/a/image.tar", into: root)
        let inside = try POSIXIO.readFile("\(root)/var/lib/db/sbom/\(spec).spdx.json")
        #expect(inside == first.sbom, "the SBOM inside the image is the one beside the tarball")

        let document = try #require(try JSONSerialization.jsonObject(with: Data(first.sbom)) as? Object)
        #expect(document["spdxVersion"] as? String == "SPDX-2.3")
        var listed: [String: String] = [:]  // name -> versionInfo
        var purls: [String: String] = [:]
        for package in document["packages"] as? [Object] ?? [] {
            let name = package["name"] as? String ?? ""
            listed[name] = package["versionInfo"] as? String
            purls[name] = ((package["externalRefs"] as? [Object])?.first?["referenceLocator"] as? String)
        }

        // Ask dpkg which package owns each regular file of the image.
        let files = try Self.regularFiles(under: root).filter { !$0.hasPrefix("/var/lib/dpkg/") && !$0.hasPrefix("/var/lib/db/") }
        let owners = try await Self.dpkgOwners(of: files)
        #expect(owners.count >= 5, "the image carries Debian libraries: \(owners)")
        for (package, path) in owners.sorted(by: { $0.key < $1.key }) {
            let version = try await HostCommand(executable: "dpkg-query").check(["-W", "-f=${Version}", package])
            #expect(listed[package] == version, "\(path) comes from \(package) \(version); the SBOM says \(listed[package] ?? "nothing")")
            #expect(purls[package]?.hasPrefix("pkg:deb/debian/\(package)@") == true, "\(purls[package] ?? "no purl")")
            let record = String(decoding: (try? POSIXIO.readFile("\(root)/var/lib/dpkg/status.d/\(package)")) ?? [], as: UTF8.self)
            #expect(record.contains("Package: \(package)\n") && record.contains("Version: \(version)\n"), "status.d/\(package): \(record)")
        }
        for executable in executables {
            #expect(listed[executable] == TestEnvironment.stampedVersion, "\(executable): \(listed[executable] ?? "not listed")")
        }
        #expect(listed["swift-argument-parser"] != nil && listed["swift"] != nil)
        #expect((listed["swift-nio"] != nil) == executables.contains("charon-node"), "only charon-node links the server stack")
        #expect(listed["hummingbird"] == nil && listed["Yams"] == nil && listed["yams"] == nil, "test-only packages stay out of the executables")
    }

    /// The agent builds the lifecycle image inside its own image, where dpkg's database is the
    /// distroless `status.d` the builder wrote: the result must be the very image (and SBOM) a
    /// build on the host gives, so no package goes missing from the images nodes really run.
    @Test func theAgentImageBuildsTheSameLifecycleImageAsTheHost() async throws {
        let namespace = "charon-test-sbom-\(getpid())"
        let scratch = try TemporaryDirectory()
        let agent = try await AgentImage.rebuild(in: scratch, namespace: namespace)
        #expect(agent.exitCode == 0, "\(agent.standardError)")
        let host = try await Self.build("tailscale-lifecycle", into: "\(scratch.path)/host")

        try POSIXIO.makeDirectories("\(scratch.path)/inside")
        let inside = try await PrivateContainerd.ctr(
            [
                "run", "--rm", "--mount", "type=bind,src=\(scratch.path)/inside,dst=/out,options=rbind:rw",
                AgentImage.reference, "sbom-\(getpid())", "/usr/local/bin/charon-node",
                "image", "build", "--spec", "/usr/share/charon-node/images/tailscale-lifecycle", "--output", "/out/image.tar",
            ],
            namespace: namespace
        )
        _ = try? await PrivateContainerd.ctr(["images", "rm", AgentImage.reference], namespace: namespace)
        #expect(inside.exitCode == 0, "\(inside.standardError)")
        // The files themselves, not ctr's copy of the output (a container that exits at once can
        // lose it): the same tarball, byte for byte, and the same SBOM.
        #expect(try POSIXIO.readFile("\(scratch.path)/inside/image.tar") == POSIXIO.readFile("\(scratch.path)/host/image.tar"))
        #expect(try POSIXIO.readFile("\(scratch.path)/inside/image.tar.spdx.json") == host.sbom)
    }

    static func build(_ spec: String, into folder: String) async throws -> (digest: String, sbom: [UInt8]) {
        try POSIXIO.makeDirectories(folder)
        let result = try await BuiltProducts.run(
            "charon-node",
            ["image", "build", "--spec", "\(BuiltProducts.packageRoot)/images/\(spec)", "--output", "\(folder)/image.tar"]
        )
        #expect(result.exitCode == 0, "\(result.standardError)")
        let fields = result.standardOutput.split(separator: " ")
        return (fields.count > 1 ? String(fields[1]) : "", try POSIXIO.readFile("\(folder)/image.tar.spdx.json"))
    }

    /// Every layer of the tarball unpacked in order into `root` (GNU tar reads zstd layers itself).
    static func unpack(_ tarball: String, into root: String) async throws {
        let layout = "\(root).layout"
        try POSIXIO.makeDirectories(layout)
        try POSIXIO.makeDirectories(root)
        _ = try await HostCommand(executable: "tar").check(["-xf", tarball, "-C", layout])
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(try POSIXIO.readFile("\(layout)/manifest.json"))) as? [Object]
        )
        for layer in manifest.first?["Layers"] as? [String] ?? [] {
            _ = try await HostCommand(executable: "tar").check(["-xf", "\(layout)/\(layer)", "-C", root])
        }
    }

    static func regularFiles(under root: String, relative: String = "") throws -> [String] {
        var result: [String] = []
        for name in try POSIXIO.listDirectory(root + relative) {
            var info = stat()
            let path = "\(relative)/\(name)"
            guard lstat(root + path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: result += try regularFiles(under: root, relative: path)
            case S_IFREG: result.append(path)
            default: break
            }
        }
        return result
    }

    /// package -> one of its paths, as `dpkg-query -S` reports owners (a path as the image holds
    /// it, or its merged-/usr alias).
    static func dpkgOwners(of paths: [String]) async throws -> [String: String] {
        var queries: [String] = []
        for path in paths {
            queries.append(path)
            if path.hasPrefix("/usr/") { queries.append(String(path.dropFirst(4))) } else { queries.append("/usr" + path) }
        }
        // Exit 1 when some path belongs to no package: the output still lists the others.
        let output = try await HostCommand(executable: "dpkg-query").run(["-S"] + queries)
        var owners: [String: String] = [:]
        for line in output.standardOutput.split(separator: "\n") where !line.hasPrefix("diversion") {
            guard let separator = line.range(of: ": /") else { continue }
            for package in line[..<separator.lowerBound].split(separator: ",") {
                let name = package.trimmingWhitespace().split(separator: ":").first.map(String.init) ?? ""
                owners[name] = String(line[line.index(before: separator.upperBound)...])
            }
        }
        return owners
    }
}
