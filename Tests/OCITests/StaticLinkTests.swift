import CharonSupport
import Glibc
import OCI
import TestSupport
import Testing

/// C libraries linked statically leave no file in an image: the spec's `staticLibraries:` names
/// them, and the SBOM lists their Debian packages as linked into the executable. Run on this
/// host's own packages (libyaml-dev and libarchive-dev are build dependencies) and the built
/// debug executables.
@Suite("Statically linked libraries")
struct StaticLinkTests {
    /// A one-layer spec copying a built executable that declares `staticLibraries`.
    static func spec(in scratch: TemporaryDirectory, executable: String, staticLibraries: String) throws -> ImageSpec {
        try scratch.write(
            "spec/image.yaml",
            """
            reference: localhost/static-demo:1
            compression: none
            layers:
              - name: app
                contents:
                  - executable: \(BuiltProducts.path(executable))
                    destination: /usr/local/bin/\(executable)
                    staticLibraries: \(staticLibraries)
            """
        )
        return try ImageSpec.load(from: "\(scratch.path)/spec")
    }

    /// The package dpkg says ships the archive, as the test expects the SBOM to name it.
    static func owner(ofArchive name: String, linkedInto executable: String) throws -> DebianPackage {
        let machine = try ELFFile(path: BuiltProducts.path(executable)).machine
        let archive = try #require(LibraryResolver().staticArchive(named: name, machine: machine), "\(name) is a build dependency")
        return try #require(DebianPackageDatabase().owner(of: archive), "dpkg lists \(archive)")
    }

    static func layerPaths(of output: String, digest: Digest, scratch: TemporaryDirectory) throws -> [String] {
        let blobs = Dictionary(uniqueKeysWithValues: try TarListing.entries(of: output).map { ($0.path, $0.data) })
        let path = "\(scratch.path)/layer.tar"
        try AtomicFile.write(try #require(blobs["blobs/sha256/\(digest.encoded)"]), to: path)
        return try TarListing.entries(of: path).map(\.path)
    }

    @Test func aDeclaredArchiveIsInTheSBOMAsLinkedIntoTheExecutableNotAsContained() throws {
        let scratch = try TemporaryDirectory()
        // charon-lifecycle links no libyaml at all; declared here, it stands for an executable
        // that does (release charon-node), with a binary small enough to build an image of.
        let spec = try Self.spec(in: scratch, executable: "charon-lifecycle", staticLibraries: "[libyaml.a]")
        let output = "\(scratch.path)/image.tar"
        let builder = ImageBuilder(options: .init(output: output))
        let result = try builder.build(spec)
        let libyaml = try Self.owner(ofArchive: "libyaml.a", linkedInto: "charon-lifecycle")
        #expect(libyaml.name == "libyaml-dev")

        let document = try CanonicalJSON.decode(SPDXDocument.self, from: try POSIXIO.readFile(ImageBuilder.sbomPath(for: output)))
        let package = try #require(document.packages.first { $0.name == "libyaml-dev" }, "the SBOM names the archive's package")
        #expect(package.versionInfo == libyaml.version)
        #expect(package.externalRefs == [.purl(libyaml.purl)])
        #expect(package.SPDXID == SPDXDocument.identifier("deb", libyaml.name, libyaml.architecture))
        let lifecycle = try #require(document.packages.first { $0.name == "charon-lifecycle" })
        let links = document.relationships.filter { $0.relatedSpdxElement == package.SPDXID }
        #expect(links.map { "\($0.spdxElementId) \($0.relationshipType)" } == ["\(lifecycle.SPDXID) STATIC_LINK"], "linked, not contained")

        // Its files are not in the image, so neither is a dpkg record claiming it installed there.
        let paths = try Self.layerPaths(of: output, digest: try #require(result.layers.first).digest, scratch: scratch)
        #expect(!paths.contains { $0.hasPrefix("var/lib/dpkg/status.d/libyaml-dev") })
        #expect(paths.contains { $0.hasPrefix("var/lib/dpkg/status.d/libc6") }, "the records of the packages it holds are written")

        // The archive is an input: a -dev package upgraded rebuilds the SBOM.
        let archive = try #require(
            LibraryResolver().staticArchive(named: "libyaml.a", machine: try ELFFile(path: BuiltProducts.path("charon-lifecycle")).machine)
        )
        #expect(try builder.checkedPaths(of: spec).contains(archive))
    }

    @Test func anArchiveTheExecutableLoadsAsASharedLibraryIsLeftOut() throws {
        let executable = BuiltProducts.path("charon-node")
        // Debug builds link libarchive.so.13 (Package.swift's archiveLinkage), and libyaml.a in
        // every configuration (CYAML's module map): the premise of this test.
        try #require(try ELFFile(path: executable).needed.contains("libarchive.so.13"), "debug charon-node loads libarchive.so.13")
        let scratch = try TemporaryDirectory()
        let spec = try Self.spec(in: scratch, executable: "charon-node", staticLibraries: "[libarchive.a, libyaml.a]")
        let plan = try LayerPlanner(baseDirectory: spec.baseDirectory, executableSearchPath: []).plan(spec.layers[0])
        #expect(plan.staticLinks.map { POSIXIO.baseName(of: $0.archiveHost) } == ["libyaml.a"])
        #expect(plan.entries.contains { POSIXIO.baseName(of: $0.path) == "libarchive.so.13" })
        #expect(plan.inputs.contains { $0.contains("/libyaml.a\t") } && !plan.inputs.contains { $0.contains("/libarchive.a\t") })

        let inventory = try ImageInventory(spec: spec, plans: [plan], database: try DebianPackageDatabase(), sourceDateEpoch: 0)
        let libarchive = try Self.owner(ofArchive: "libarchive.a", linkedInto: "charon-node")
        #expect(inventory.staticallyLinked.map { $0.package.name } == ["libyaml-dev"])
        #expect(inventory.staticallyLinked.map { $0.executableID } == [SPDXDocument.identifier("charon", "charon-node")])
        #expect(!inventory.document.packages.contains { $0.name == libarchive.name }, "the .so's package is named instead")
        #expect(inventory.debianPackages.contains { $0.name.hasPrefix("libarchive1") })
        let linked = inventory.document.relationships.filter {
            $0.relationshipType == "STATIC_LINK" && $0.relatedSpdxElement.hasPrefix("SPDXRef-deb-")
        }
        #expect(
            linked.map(\.relatedSpdxElement) == [SPDXDocument.identifier("deb", "libyaml-dev", inventory.staticallyLinked[0].package.architecture)]
        )
    }

    @Test func aMissingArchiveIsNamedByItsField() throws {
        let scratch = try TemporaryDirectory()
        let spec = try Self.spec(in: scratch, executable: "charon-lifecycle", staticLibraries: "[libyaml.a, libcharon-no-such-library.a]")
        do {
            _ = try LayerPlanner(baseDirectory: spec.baseDirectory, executableSearchPath: []).plan(spec.layers[0])
            Issue.record("planned an image whose executable links an archive that is nowhere")
        } catch let error as ImageSpecError {
            guard case .sourceMissing(let field, let path) = error else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(field == "layers[app].contents[0].staticLibraries[1]")
            #expect(path.hasPrefix("libcharon-no-such-library.a"))
        }
    }

    @Test func archivesAreFoundInTheMachinesFoldersBeforeLdSoConfs() throws {
        let scratch = try TemporaryDirectory()
        // A multiarch host's ld.so.conf may list another architecture's folder first.
        try scratch.write("etc/ld.so.conf", "/usr/lib/aarch64-linux-gnu\n/opt/extra\n")
        try scratch.write("usr/lib/aarch64-linux-gnu/libdemo.a", "!<arch>\n")
        try scratch.write("usr/lib/x86_64-linux-gnu/libdemo.a", "!<arch>\n")
        try scratch.write("opt/extra/libonly.a", "!<arch>\n")
        try POSIXIO.makeDirectories("\(scratch.path)/usr/lib/x86_64-linux-gnu/libfolder.a")
        let resolver = LibraryResolver(root: scratch.path)
        #expect(resolver.staticArchive(named: "libdemo.a", machine: 62)?.hasSuffix("/usr/lib/x86_64-linux-gnu/libdemo.a") == true)
        #expect(resolver.staticArchive(named: "libdemo.a", machine: 183)?.hasSuffix("/usr/lib/aarch64-linux-gnu/libdemo.a") == true)
        #expect(resolver.staticArchive(named: "libonly.a", machine: 62)?.hasSuffix("/opt/extra/libonly.a") == true)
        #expect(resolver.staticArchive(named: "libfolder.a", machine: 62) == nil, "a folder is no archive")
        #expect(resolver.staticArchive(named: "libnone.a", machine: 62) == nil)
    }

    /// libyaml's shared object is `libyaml-0.so.2`: its stem is not the archive's, but the link
    /// editor's `libyaml.so` beside `libyaml.a` leads to it.
    @Test func theSharedFormIsFoundByStemOrThroughTheLinkerName() throws {
        let scratch = try TemporaryDirectory()
        let folder = "\(scratch.path)/lib"
        try scratch.write("lib/libdemo.a", "")
        try scratch.write("lib/libdemo-0.so.2.0.9", "")
        #expect(symlink("libdemo-0.so.2.0.9", "\(folder)/libdemo.so") == 0)
        try scratch.write("lib/libother.a", "")
        let resolved = try #require(realpath("\(folder)/libdemo-0.so.2.0.9", nil))
        defer { free(resolved) }
        let closure = [
            LibraryResolver.ClosureFile(imagePath: "usr/local/bin/app", hostPath: "\(folder)/app"),
            LibraryResolver.ClosureFile(imagePath: "usr/lib/x86_64-linux-gnu/libdemo-0.so.2", hostPath: String(cString: resolved)),
            LibraryResolver.ClosureFile(imagePath: "usr/lib/x86_64-linux-gnu/libz.so.1", hostPath: "/usr/lib/x86_64-linux-gnu/libz.so.1.3"),
        ]
        #expect(LibraryResolver.sharedCounterpart(ofArchive: "\(folder)/libdemo.a", in: closure)?.imagePath == closure[1].imagePath)
        #expect(LibraryResolver.sharedCounterpart(ofArchive: "/usr/lib/x86_64-linux-gnu/libz.a", in: closure)?.imagePath == closure[2].imagePath)
        #expect(LibraryResolver.sharedCounterpart(ofArchive: "\(folder)/libother.a", in: closure) == nil)
    }
}
