import CharonSupport
import Glibc

/// Finds an executable's shared-library closure the way glibc's `ld.so` would, and decides where
/// each file must sit in a base-less image so that the loader inside the image finds it again.
///
/// Search order per object (see ld.so(8)): `DT_RPATH` of the object and of the executable (only
/// when the object has no `DT_RUNPATH`), then `DT_RUNPATH`, then the directories of
/// `/etc/ld.so.conf`, then the loader's built-in system directories. `LD_LIBRARY_PATH` is ignored
/// on purpose: the image must not depend on the builder's environment.
///
/// ```swift
/// let files = try LibraryResolver().closure(of: "/usr/local/bin/charon-lifecycle",
///                                           installedAt: "usr/local/bin/charon-lifecycle")
/// // [(usr/local/bin/charon-lifecycle, …), (lib64/ld-linux-x86-64.so.2, …), (lib/x86_64-linux-gnu/libc.so.6, …)]
/// ```
public struct LibraryResolver: Sendable {
    /// One file of the closure: where it goes in the image and which host file provides it.
    public struct ClosureFile: Hashable, Sendable {
        public var imagePath: String
        public var hostPath: String
        public var mode: UInt32

        public init(imagePath: String, hostPath: String, mode: UInt32 = 0o755) {
            self.imagePath = imagePath
            self.hostPath = hostPath
            self.mode = mode
        }
    }

    /// Directories from `/etc/ld.so.conf` (and its includes), in order.
    public let configuredDirectories: [String]
    /// Root prefix for tests (`""` on a real host).
    public let root: String

    public init(root: String = "", ldSoConf: String = "/etc/ld.so.conf") {
        self.root = root
        self.configuredDirectories = LibraryResolver.readLdSoConf(root + ldSoConf, root: root, depth: 0)
    }

    /// The loader's compiled-in directories; a Debian-style multiarch triplet plus the plain ones.
    public static func systemDirectories(machine: UInt16) -> [String] {
        let triplet: String? =
            switch machine {
            case 62: "x86_64-linux-gnu"
            case 183: "aarch64-linux-gnu"
            default: nil
            }
        var directories: [String] = []
        if let triplet { directories += ["/lib/\(triplet)", "/usr/lib/\(triplet)"] }
        return directories + ["/lib", "/usr/lib", "/lib64", "/usr/lib64"]
    }

    /// The executable, its loader and every library it loads, deduplicated by image path.
    public func closure(of executable: String, installedAt imagePath: String, mode: UInt32 = 0o755) throws -> [ClosureFile] {
        let elf: ELFFile
        do {
            elf = try ELFFile(path: executable)
        } catch let error as ELFFile.FormatError {
            throw ImageSpecError.notAnExecutable(path: executable, reason: error.reason)
        }
        var files = [ClosureFile(imagePath: imagePath, hostPath: executable, mode: mode)]
        guard let interpreter = elf.interpreter else {
            // A static executable needs nothing else.
            guard elf.needed.isEmpty else {
                throw ImageSpecError.notAnExecutable(path: executable, reason: "it needs libraries but names no interpreter")
            }
            return files
        }
        let interpreterImagePath = try ImagePath.normalize(interpreter, field: "PT_INTERP of \(executable)")
        files.append(ClosureFile(imagePath: interpreterImagePath, hostPath: try Self.realPath(root + interpreter), mode: 0o755))

        let system = Self.systemDirectories(machine: elf.machine)
        var seenNames: Set<String> = []
        var queue: [(object: ELFFile, origin: String)] = [(elf, POSIXIO.directoryName(of: executable))]
        while !queue.isEmpty {
            let (object, origin) = queue.removeFirst()
            let inheritedRpath = object.runpath.isEmpty ? object.rpath + (object.path == elf.path ? [] : elf.rpath) : []
            for name in object.needed where !seenNames.contains(name) {
                seenNames.insert(name)
                if POSIXIO.baseName(of: interpreter) == name { continue }  // the loader is already there
                guard
                    let found = locate(
                        name,
                        machine: elf.machine,
                        explicit: (inheritedRpath + object.runpath).map { expand($0, origin: origin) },
                        system: system
                    )
                else {
                    throw ImageSpecError.libraryNotFound(library: name, neededBy: object.path)
                }
                let host = try Self.realPath(found.path)
                files.append(ClosureFile(imagePath: found.imagePath, hostPath: host, mode: 0o755))
                queue.append((try ELFFile(path: host), POSIXIO.directoryName(of: found.path)))
            }
        }
        return files
    }

    /// The static archive `name` (`libarchive.a`) as an executable for `machine` was linked with
    /// it: looked up in the folders searched for shared libraries (resolved, so dpkg's name for
    /// it is found), or nil. The machine's system folders come first, as in the link editor's
    /// own search path: an archive has no ELF header to check, and a multiarch host's
    /// ld.so.conf may list another architecture's folder ahead of them.
    ///
    /// ```swift
    /// LibraryResolver().staticArchive(named: "libyaml.a", machine: 62)  // "/usr/lib/x86_64-linux-gnu/libyaml.a"
    /// ```
    public func staticArchive(named name: String, machine: UInt16) -> String? {
        var seen: Set<String> = []
        for directory in Self.systemDirectories(machine: machine) + configuredDirectories where seen.insert(directory).inserted {
            var info = stat()
            let path = root + directory + "/" + name
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            return (try? Self.realPath(path)) ?? path
        }
        return nil
    }

    /// The file of `closure` that is the shared form of `archive`: same stem (`libarchive.a`,
    /// `libarchive.so.13`), or the file the link editor's `libyaml.so` beside the archive leads
    /// to (`libyaml-0.so.2`, whose stem differs). An executable holding one links the library
    /// dynamically (debug builds do), whatever its spec declares.
    public static func sharedCounterpart(ofArchive archive: String, in closure: [ClosureFile]) -> ClosureFile? {
        let name = POSIXIO.baseName(of: archive)
        let stem = name.hasSuffix(".a") ? String(name.dropLast(2)) : name
        let linkerName = try? realPath("\(POSIXIO.directoryName(of: archive))/\(stem).so")
        return closure.dropFirst().first { file in
            let base = POSIXIO.baseName(of: file.imagePath)
            let shared = base.firstRange(of: ".so").map { String(base[..<$0.lowerBound]) }
            return shared == stem || (linkerName != nil && file.hostPath == linkerName)
        }
    }

    private func locate(_ name: String, machine: UInt16, explicit: [String], system: [String]) -> (path: String, imagePath: String)? {
        func matches(_ candidate: String) -> Bool {
            guard let elf = try? ELFFile(path: candidate) else { return false }
            return elf.machine == machine
        }
        if name.contains("/") {
            guard matches(root + name), let imagePath = try? ImagePath.normalize(name, field: "DT_NEEDED") else { return nil }
            return (root + name, imagePath)
        }
        for directory in explicit where matches(root + directory + "/" + name) {
            guard let imagePath = try? ImagePath.normalize(directory + "/" + name, field: "search path") else { continue }
            return (root + directory + "/" + name, imagePath)
        }
        // Found through ld.so.cache-style configuration: the image has no cache, so the file goes
        // into the loader's first built-in directory unless it already sits in one.
        for directory in configuredDirectories + system where matches(root + directory + "/" + name) {
            let imageDirectory = system.contains(directory) ? directory : system[0]
            guard let imagePath = try? ImagePath.normalize(imageDirectory + "/" + name, field: "search path") else { continue }
            return (root + directory + "/" + name, imagePath)
        }
        return nil
    }

    private func expand(_ entry: String, origin: String) -> String {
        entry.replacing("${ORIGIN}", with: origin).replacing("$ORIGIN", with: origin)
    }

    private static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw SystemError(operation: "resolve", path: path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func readLdSoConf(_ path: String, root: String, depth: Int) -> [String] {
        guard depth < 8, let bytes = try? POSIXIO.readFile(path) else { return [] }
        var directories: [String] = []
        for rawLine in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" || $0 == "," }).map(String.init)
            guard let first = words.first else { continue }
            if first == "include" {
                for pattern in words.dropFirst() {
                    let absolute = pattern.hasPrefix("/") ? pattern : POSIXIO.directoryName(of: path) + "/" + pattern
                    for match in glob(root.isEmpty || absolute.hasPrefix(root) ? absolute : root + absolute) {
                        directories += readLdSoConf(match, root: root, depth: depth + 1)
                    }
                }
            } else if first != "hwcap" {
                directories += words.filter { $0.hasPrefix("/") }
            }
        }
        return directories
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }.sorted()
    }
}
