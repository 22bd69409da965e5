import CharonSupport
import Glibc
import OCI
import TestSupport
import Testing

/// The SBOM's parts on a made-up system: a dpkg database (both layouts) in a scratch folder,
/// merged-`/usr` aliases, generated files, the purl form, the build info found in a binary, and the
/// records an image gets.
@Suite("SBOM")
struct SBOMTests {
    /// A root with dpkg's own layout: two packages, one listing its library under `/lib`, the
    /// other a binary; `os-release` says Debian 12.
    static func dpkgRoot(_ scratch: TemporaryDirectory) throws -> String {
        try scratch.write(
            "root/var/lib/dpkg/status",
            """
            Package: libdemo1
            Status: install ok installed
            Architecture: amd64
            Source: demo (1:2.0-1)
            Version: 1:2.0-1+b1
            Maintainer: Demo Maintainers <demo@example.org>
            Description: a library
             with a long description

            Package: demo-tools
            Status: install ok installed
            Architecture: amd64
            Version: 2.0-1
            Maintainer: Demo Maintainers <demo@example.org>

            Package: removed-thing
            Status: deinstall ok config-files
            Architecture: amd64
            Version: 0.1

            """
        )
        try scratch.write("root/var/lib/dpkg/info/libdemo1:amd64.list", "/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libdemo.so.1\n")
        try scratch.write("root/var/lib/dpkg/info/libdemo1:amd64.md5sums", "0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libdemo.so.1\n")
        try scratch.write("root/var/lib/dpkg/info/demo-tools.list", "/usr/bin/demo\n")
        try scratch.write("root/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        return "\(scratch.path)/root"
    }

    @Test func ownersAreFoundUnderEitherSideOfTheUsrMerge() throws {
        let scratch = try TemporaryDirectory()
        let root = try Self.dpkgRoot(scratch)
        let database = try DebianPackageDatabase(root: root)
        // dpkg lists /lib/…; the loader found it as /usr/lib/…: the same file on a merged-/usr system.
        let owners = try database.owners(of: ["/usr/lib/x86_64-linux-gnu/libdemo.so.1", "/bin/demo", "/opt/not-a-package"])
        #expect(owners["/usr/lib/x86_64-linux-gnu/libdemo.so.1"]?.name == "libdemo1")
        #expect(owners["/bin/demo"]?.name == "demo-tools")
        #expect(owners["/opt/not-a-package"] == nil)
        #expect(database.owner(of: "/usr/bin/removed") == nil)
    }

    @Test func purlCarriesArchitectureDistroEpochAndSource() throws {
        let scratch = try TemporaryDirectory()
        let database = try DebianPackageDatabase(root: try Self.dpkgRoot(scratch))
        let library = try #require(database.owner(of: "/lib/x86_64-linux-gnu/libdemo.so.1"))
        #expect(library.version == "1:2.0-1+b1")
        #expect(library.purl == "pkg:deb/debian/libdemo1@2.0-1+b1?arch=amd64&distro=debian-12&epoch=1&upstream=demo%401:2.0-1")
        let tools = try #require(database.owner(of: "/usr/bin/demo"))
        #expect(tools.purl == "pkg:deb/debian/demo-tools@2.0-1?arch=amd64&distro=debian-12")
        #expect(tools.stanza.hasPrefix("Package: demo-tools\nStatus: install ok installed\n"))
        #expect(library.stanza.contains("Description: a library\n with a long description\n"))
    }

    @Test func md5sumsNameTheImagePathsWithDpkgsSums() throws {
        let scratch = try TemporaryDirectory()
        let database = try DebianPackageDatabase(root: try Self.dpkgRoot(scratch))
        let library = try #require(database.owner(of: "/lib/x86_64-linux-gnu/libdemo.so.1"))
        let sums = try database.md5sums(of: library, files: [("/usr/lib/x86_64-linux-gnu/libdemo.so.1", "usr/lib/x86_64-linux-gnu/libdemo.so.1")])
        #expect(sums == "0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libdemo.so.1\n")
    }

    /// Inside charon's own image there is no dpkg status file, only the records the builder wrote.
    @Test func theDistrolessLayoutIsReadToo() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write(
            "root/var/lib/dpkg/status.d/libldap-2.5-0",
            "Package: libldap-2.5-0\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.5.13+dfsg-5\n"
        )
        try scratch.write(
            "root/var/lib/dpkg/status.d/libldap-2.5-0.md5sums",
            "00112233445566778899aabbccddeeff  usr/lib/x86_64-linux-gnu/libldap-2.5.so.0\n"
        )
        let database = try DebianPackageDatabase(root: "\(scratch.path)/root")
        #expect(database.owner(of: "/usr/lib/x86_64-linux-gnu/libldap-2.5.so.0")?.version == "2.5.13+dfsg-5")
        #expect(DebianPackageDatabase.recordPaths(root: "\(scratch.path)/root") == ["\(scratch.path)/root/var/lib/dpkg/status.d"])
    }

    @Test func aSystemWithoutDpkgOwnsNothing() throws {
        let scratch = try TemporaryDirectory()
        let database = try DebianPackageDatabase(root: scratch.path)
        #expect(try database.owners(of: ["/usr/bin/env"]).isEmpty)
        #expect(DebianPackageDatabase.recordPaths(root: scratch.path).isEmpty)
    }

    /// The reading code's own marker constant must not be taken for build info: only a marker
    /// followed by JSON that decodes counts.
    @Test func buildInfoIsFoundBehindItsMarkerAndDecoys() throws {
        let scratch = try TemporaryDirectory()
        var bytes: [UInt8] = [0x7f, 0x45, 0x4c, 0x46] + Array(repeating: 0, count: 60)
        bytes += Array("\(BuildInfoText.marker)\0".utf8)  // the constant alone
        bytes += Array("\(BuildInfoText.marker){not json\0".utf8)  // a marker with garbage after it
        bytes += Array(
            #"\#(BuildInfoText.marker){"name":"demo","version":"1.2.3","swiftPackages":[{"name":"swift-log","url":"https://github.com/apple/swift-log.git","version":"1.16.2"}]}"#
                .utf8
        )
        bytes += [0] + Array(repeating: 0xff, count: 16)
        let path = "\(scratch.path)/demo"
        try AtomicFile.write(bytes, to: path, mode: 0o755)
        let info = try #require(try ExecutableBuildInfo.read(from: path))
        #expect(info.name == "demo" && info.version == "1.2.3")
        #expect(info.swiftPackages.first?.purl == "pkg:swift/github.com/apple/swift-log@1.16.2")

        try AtomicFile.write(Array("#!/bin/sh\n\(BuildInfoText.marker){}".utf8), to: "\(scratch.path)/script", mode: 0o755)
        #expect(try ExecutableBuildInfo.read(from: "\(scratch.path)/script") == nil, "not ELF: never read as a charon binary")
    }

    @Test func recordsGoIntoTheLayersThatHoldThePackagesFiles() throws {
        let scratch = try TemporaryDirectory()
        let root = try Self.dpkgRoot(scratch)
        try scratch.write("host/libdemo.so.1", "library")
        try scratch.write(
            "spec/image.yaml",
            """
            reference: localhost/sbom-demo:1
            compression: none
            layers:
              - name: base
                contents:
                  - content: hello
                    destination: /srv/hello.txt
              - name: libs
                contents:
                  - file: ../host/libdemo.so.1
                    destination: /lib/x86_64-linux-gnu/libdemo.so.1
            """
        )
        let spec = try ImageSpec.load(from: "\(scratch.path)/spec")
        let planner = LayerPlanner(baseDirectory: spec.baseDirectory, executableSearchPath: [])
        var plans = try spec.layers.map { try planner.plan($0) }
        // The scratch copy stands in for the library at the path the made-up dpkg lists it under.
        plans[1].entries = plans[1].entries.map { entry in
            var entry = entry
            if case .hostFile(_, let size) = entry.kind { entry.kind = .hostFile(path: "/lib/x86_64-linux-gnu/libdemo.so.1", size: size) }
            return entry
        }
        let inventory = try ImageInventory(spec: spec, plans: plans, database: try DebianPackageDatabase(root: root), sourceDateEpoch: 0)
        #expect(inventory.debianPackages.map(\.name) == ["libdemo1"])
        let layers = try inventory.plansWithRecords()
        let paths = layers.map { $0.entries.map(\.path) }
        #expect(!paths[0].contains("var/lib/dpkg/status.d/libdemo1"), "the package's files are in the second layer only")
        #expect(paths[1].contains("var/lib/dpkg/status.d/libdemo1") && paths[1].contains("var/lib/dpkg/status.d/libdemo1.md5sums"))
        #expect(paths[1].contains("var/lib/db/sbom/sbom-demo.spdx.json") && !paths[0].contains("var/lib/db/sbom/sbom-demo.spdx.json"))
        #expect(paths[1] == paths[1].sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "still in tar order")
        #expect(paths[1].contains("var/lib/dpkg") && paths[1].contains("var/lib/db"), "parent folders are added")

        let document = inventory.document
        #expect(document.spdxVersion == "SPDX-2.3")
        #expect(document.creationInfo.created == "1970-01-01T00:00:00Z")
        #expect(document.packages.contains { $0.name == "libdemo1" && $0.versionInfo == "1:2.0-1+b1" })
        let again = try ImageInventory(spec: spec, plans: plans, database: try DebianPackageDatabase(root: root), sourceDateEpoch: 0)
        #expect(again.documentBytes == inventory.documentBytes, "same inputs, same bytes")
    }

    @Test func aGeneratedFileConflictingWithTheSpecIsRefused() throws {
        let plan = LayerPlanner.Plan(
            entries: [LayerEntry(path: "var", kind: .symlink(target: "/elsewhere"), mode: 0o777)],
            inputs: []
        )
        #expect(throws: ImageSpecError.conflictingEntries(path: "var")) {
            _ = try plan.adding([LayerEntry(path: "var/lib/db/sbom/x.spdx.json", kind: .bytes([]), mode: 0o644)])
        }
    }
}
