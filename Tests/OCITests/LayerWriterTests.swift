import CharonSupport
import Glibc
import HostCommand
import OCI
import TestSupport
import Testing

@Suite("Layer writer")
struct LayerWriterTests {
    /// A host tree with every entry kind: files with modes, a symlink, a hard link, a long path.
    static func makeTree(in scratch: TemporaryDirectory) throws -> String {
        let root = "\(scratch.path)/tree"
        try scratch.write("tree/b.txt", "bee\n", mode: 0o600)
        try scratch.write("tree/a/run.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        let long = "tree/" + String(repeating: "very-long-folder-name/", count: 6) + "file-with-a-long-name.txt"
        try scratch.write(long, "deep\n")
        #expect(symlink("b.txt", "\(root)/link") == 0)
        #expect(link("\(root)/b.txt", "\(root)/z-hard") == 0)
        return root
    }

    func writeLayer(
        _ entries: [LayerEntry],
        compression: LayerCompression = .none,
        into scratch: TemporaryDirectory,
        name: String = "layer",
        level: Int? = nil
    ) throws -> (LayerWriter.Blob, String) {
        let path = "\(scratch.path)/\(name)"
        let file = try AtomicFile(destination: path)
        var writer = LayerWriter(compression: compression, modificationTime: 1_700_000_000)
        writer.compressionLevel = level
        let blob = try writer.write(entries, to: file)
        try file.commit()
        return (blob, path)
    }

    @Test func writesEntriesSortedWithModesLinksAndLongPaths() throws {
        let scratch = try TemporaryDirectory()
        let tree = try Self.makeTree(in: scratch)
        let spec = LayerSpec(
            name: "t",
            contents: [
                LayerItem(kind: .directory(source: tree), destination: "srv"),
                LayerItem(kind: .content("x"), destination: "etc/x", mode: 0o640, owner: Ownership(uid: 7, gid: 8)),
            ]
        )
        let plan = try LayerPlanner(baseDirectory: scratch.path, executableSearchPath: []).plan(spec)
        let (blob, path) = try writeLayer(plan.entries, into: scratch)
        let listed = try TarListing.entries(of: path)
        let paths = listed.map { $0.path.hasSuffix("/") ? String($0.path.dropLast()) : $0.path }

        // Byte-order sorted, parents before children, parents created implicitly.
        #expect(paths == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(paths.prefix(4) == ["etc", "etc/x", "srv", "srv/a"])
        let byPath = Dictionary(uniqueKeysWithValues: zip(paths, listed))
        #expect(byPath["srv/b.txt"]?.mode == 0o600)
        #expect(byPath["srv/a/run.sh"]?.mode == 0o755)
        #expect(byPath["srv/a/run.sh"]?.data == Array("#!/bin/sh\necho hi\n".utf8))
        #expect(byPath["srv/link"]?.isSymlink == true)
        #expect(byPath["srv/link"]?.symlink == "b.txt")
        #expect(byPath["srv/z-hard"]?.hardlink == "srv/b.txt")
        #expect(byPath["etc/x"]?.uid == 7 && byPath["etc/x"]?.gid == 8 && byPath["etc/x"]?.mode == 0o640)
        let long = "srv/" + String(repeating: "very-long-folder-name/", count: 6) + "file-with-a-long-name.txt"
        #expect(long.utf8.count > 100)
        #expect(byPath[long]?.data == Array("deep\n".utf8))
        // Numeric ownership only, fixed mtime.
        #expect(listed.allSatisfy { ($0.userName ?? "").isEmpty })
        #expect(listed.allSatisfy { $0.mtime == 1_700_000_000 })
        // Uncompressed: the blob is the tar, so digest and diff_id agree.
        #expect(blob.digest == blob.diffID)
        #expect(blob.size == Int64(try POSIXIO.readFile(path).count))
    }

    @Test func gnuTarReadsTheLayer() async throws {
        let scratch = try TemporaryDirectory()
        let tree = try Self.makeTree(in: scratch)
        let plan = try LayerPlanner(baseDirectory: scratch.path, executableSearchPath: [])
            .plan(LayerSpec(name: "t", contents: [LayerItem(kind: .directory(source: tree), destination: "srv")]))
        let (_, path) = try writeLayer(plan.entries, into: scratch)
        let listing = try await HostCommand(executable: "tar").check(["-tvf", path])
        #expect(listing.contains("srv/z-hard link to srv/b.txt"))
        #expect(listing.contains("srv/link -> b.txt"))
        #expect(listing.contains("file-with-a-long-name.txt"))
    }

    @Test(arguments: [LayerCompression.none, .gzip, .zstd])
    func digestsMatchSha256sum(compression: LayerCompression) async throws {
        let scratch = try TemporaryDirectory()
        let tree = try Self.makeTree(in: scratch)
        let plan = try LayerPlanner(baseDirectory: scratch.path, executableSearchPath: [])
            .plan(LayerSpec(name: "t", contents: [LayerItem(kind: .directory(source: tree), destination: "srv")]))
        let (blob, path) = try writeLayer(plan.entries, compression: compression, into: scratch)
        #expect(blob.mediaType == compression.mediaType)
        let blobSum = try await HostCommand(executable: "sha256sum").check([path])
        #expect(blobSum.hasPrefix(blob.digest.encoded))
        let decompress =
            switch compression {
            case .none: "cat"
            case .gzip: "gzip -dc"
            case .zstd: "zstd -dcq"
            }
        let tarSum = try await HostCommand(executable: "sh").check(["-c", "\(decompress) '\(path)' | sha256sum"])
        #expect(tarSum.hasPrefix(blob.diffID.encoded))
        if compression != .none { #expect(blob.digest != blob.diffID) }
    }

    @Test(arguments: [LayerCompression.none, .gzip, .zstd])
    func sameInputsGiveSameBytes(compression: LayerCompression) throws {
        let scratch = try TemporaryDirectory()
        let tree = try Self.makeTree(in: scratch)
        let spec = LayerSpec(name: "t", contents: [LayerItem(kind: .directory(source: tree), destination: "srv")])
        let planner = LayerPlanner(baseDirectory: scratch.path, executableSearchPath: [])
        let (first, firstPath) = try writeLayer(try planner.plan(spec).entries, compression: compression, into: scratch, name: "one")
        // Touch every input: host mtimes must not leak into the layer.
        #expect(utimes("\(tree)/b.txt", nil) == 0)
        #expect(utimes("\(tree)/a/run.sh", nil) == 0)
        let (second, secondPath) = try writeLayer(try planner.plan(spec).entries, compression: compression, into: scratch, name: "two")
        #expect(first == second)
        #expect(try POSIXIO.readFile(firstPath) == POSIXIO.readFile(secondPath))
    }

    /// The level reaches the compressor: gzip 1 against its default 6, zstd 19 against its default 3.
    @Test(arguments: [(LayerCompression.gzip, 1), (.zstd, 19)])
    func theLevelKeepsTheTarAndChangesTheBlob(compression: LayerCompression, level: Int) async throws {
        let scratch = try TemporaryDirectory()
        // 3 MiB of pseudo-random letters, twice: the repeat is 3 MiB back, past zstd 3's 2 MiB
        // window and within zstd 19's 8 MiB; gzip 1 matches less than gzip 6 does.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let block = (0..<(3 << 20)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(97 + (state >> 59))
        }
        let text = String(decoding: block + block, as: UTF8.self)
        let spec = LayerSpec(name: "t", contents: [LayerItem(kind: .content(text), destination: "srv/text")])
        let entries = try LayerPlanner(baseDirectory: scratch.path, executableSearchPath: []).plan(spec).entries
        let (standard, _) = try writeLayer(entries, compression: compression, into: scratch, name: "default")
        let (leveled, path) = try writeLayer(entries, compression: compression, into: scratch, name: "leveled", level: level)
        #expect(leveled.diffID == standard.diffID, "the same tar inside")
        if level > 6 { #expect(leveled.size < standard.size * 3 / 4) } else { #expect(leveled.size > standard.size) }
        let decompress = compression == .gzip ? "gzip -dc" : "zstd -dcq"
        let tarSum = try await HostCommand(executable: "sh").check(["-c", "\(decompress) '\(path)' | sha256sum"])
        #expect(tarSum.hasPrefix(leveled.diffID.encoded))
    }

    @Test func conflictingEntriesAreRefused() throws {
        let scratch = try TemporaryDirectory()
        let spec = LayerSpec(
            name: "t",
            contents: [
                LayerItem(kind: .content("a"), destination: "etc/x"),
                LayerItem(kind: .content("b"), destination: "etc/x"),
            ]
        )
        #expect(throws: ImageSpecError.conflictingEntries(path: "etc/x")) {
            try LayerPlanner(baseDirectory: scratch.path, executableSearchPath: []).plan(spec)
        }
    }

    @Test func missingSourceIsNamed() throws {
        let scratch = try TemporaryDirectory()
        let spec = LayerSpec(name: "t", contents: [LayerItem(kind: .file(source: "nope.txt"), destination: "etc/x")])
        #expect(throws: ImageSpecError.sourceMissing(field: "layers[t].contents[0].file", path: "\(scratch.path)/nope.txt")) {
            try LayerPlanner(baseDirectory: scratch.path, executableSearchPath: []).plan(spec)
        }
    }
}

@Suite("ELF closure")
struct ClosureTests {
    @Test func readsInterpreterAndNeededLibraries() throws {
        let elf = try ELFFile(path: "/bin/ls")
        #expect(elf.interpreter == "/lib64/ld-linux-x86-64.so.2")
        #expect(elf.needed.contains("libc.so.6"))
        #expect(elf.machine == 62)
    }

    @Test func closureHoldsLoaderAndEveryLibraryLddReports() async throws {
        let files = try LibraryResolver().closure(of: "/usr/bin/curl", installedAt: "usr/bin/curl")
        let imagePaths = Set(files.map(\.imagePath))
        #expect(imagePaths.contains("usr/bin/curl"))
        #expect(imagePaths.contains("lib64/ld-linux-x86-64.so.2"))
        // Every library ldd resolves must be in the closure, under its soname.
        let ldd = try await HostCommand(executable: "ldd").check(["/usr/bin/curl"])
        let sonames = ldd.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ")
            guard parts.count >= 3, parts[1] == "=>" else { return nil }
            return String(parts[0].trimmingPrefix("\t"))
        }
        #expect(sonames.count > 5)
        for soname in sonames {
            #expect(imagePaths.contains { $0.hasSuffix("/\(soname)") }, "missing \(soname)")
        }
    }

    @Test func refusesANonELFFile() throws {
        #expect(throws: ImageSpecError.self) {
            try LibraryResolver().closure(of: "/etc/passwd", installedAt: "bin/x")
        }
    }

    @Test func readsLdSoConfIncludes() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n/opt/first\n")
        try scratch.write("etc/ld.so.conf.d/b.conf", "# comment\n/opt/b\n")
        try scratch.write("etc/ld.so.conf.d/a.conf", "/opt/a:/opt/a2\n")
        let resolver = LibraryResolver(root: scratch.path)
        #expect(resolver.configuredDirectories == ["/opt/a", "/opt/a2", "/opt/b", "/opt/first"])
    }
}
