import CharonSupport
import Glibc

/// Turns a ``LayerSpec`` into the sorted list of tar entries it stands for, reading only metadata
/// (`lstat`, ELF headers), never file contents.
///
/// It also records an input fingerprint of every host file it will read (size, mtime, ctime, inode), which
/// the builder uses to skip a rebuild whose inputs have not changed.
///
/// ```swift
/// var planner = LayerPlanner(baseDirectory: "images/tailscale-lifecycle", executableSearchPath: [binDir])
/// let plan = try planner.plan(spec.layers[0])
/// plan.entries.map(\.path)  // ["etc", "etc/ssl", …, "usr/local/bin/charon-lifecycle"]
/// ```
public struct LayerPlanner {
    /// The planned layer.
    public struct Plan: Sendable {
        public var entries: [LayerEntry]
        /// One line per host input: path, size, mtime, ctime, inode; hashed into the build fingerprint.
        public var inputs: [String]
        /// The static archives the layer's executables declare and link statically, sorted: no
        /// entry of the layer, but the SBOM names their packages.
        public var staticLinks: [StaticLink]

        public init(entries: [LayerEntry], inputs: [String], staticLinks: [StaticLink] = []) {
            self.entries = entries
            self.inputs = inputs
            self.staticLinks = staticLinks
        }
    }

    /// An executable of the layer and a static archive linked into it (host paths both).
    public struct StaticLink: Hashable, Sendable, Comparable {
        /// The executable as the layer copies it (`.build/release/charon-node`).
        public var executableHost: String
        /// The archive as the link editor would find it (`/usr/lib/x86_64-linux-gnu/libyaml.a`).
        public var archiveHost: String

        public init(executableHost: String, archiveHost: String) {
            self.executableHost = executableHost
            self.archiveHost = archiveHost
        }

        public static func < (lhs: StaticLink, rhs: StaticLink) -> Bool {
            (lhs.executableHost, lhs.archiveHost) < (rhs.executableHost, rhs.archiveHost)
        }
    }

    let baseDirectory: String
    let executableSearchPath: [String]
    let resolver: LibraryResolver

    /// - Parameters:
    ///   - baseDirectory: where relative `file:`/`directory:` sources are found (the spec's folder).
    ///   - executableSearchPath: folders searched for a bare `executable:` name, first match wins.
    public init(baseDirectory: String, executableSearchPath: [String], resolver: LibraryResolver = LibraryResolver()) {
        self.baseDirectory = baseDirectory
        self.executableSearchPath = executableSearchPath
        self.resolver = resolver
    }

    /// Paths in the order a layer's tar holds them: by their UTF-8 bytes, whatever the locale.
    static func byteOrder(_ paths: some Sequence<String>) -> [String] {
        paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public func plan(_ layer: LayerSpec) throws -> Plan {
        var builder = EntryTable()
        for (index, item) in layer.contents.enumerated() {
            let field = "layers[\(layer.name)].contents[\(index)]"
            try add(item, field: field, to: &builder)
        }
        return builder.finish()
    }

    private func add(_ item: LayerItem, field: String, to table: inout EntryTable) throws {
        switch item.kind {
        case .executable(let source, let staticLibraries):
            let host = try locateExecutable(source, field: "\(field).executable")
            let closure = try resolver.closure(of: host, installedAt: item.destination, mode: item.mode ?? 0o755)
            for file in closure {
                try table.addHostFile(
                    file.hostPath,
                    at: file.imagePath,
                    mode: file.imagePath == item.destination ? (item.mode ?? file.mode) : nil,
                    owner: item.owner
                )
            }
            guard !staticLibraries.isEmpty else { return }
            let machine = try ELFFile(path: host).machine
            for (index, name) in staticLibraries.enumerated() {
                guard let archive = resolver.staticArchive(named: name, machine: machine) else {
                    throw ImageSpecError.sourceMissing(
                        field: "\(field).staticLibraries[\(index)]",
                        path: "\(name) (looked in the library folders of \(host)'s machine and ld.so.conf)"
                    )
                }
                // Linked dynamically after all (a debug build): the image holds the .so, and the
                // SBOM names its package already.
                if LibraryResolver.sharedCounterpart(ofArchive: archive, in: closure) != nil { continue }
                // Not a layer entry, but an input all the same: a -dev package upgraded changes
                // the SBOM, so it must change the fingerprint.
                try table.addInput(archive)
                table.staticLinks.insert(LayerPlanner.StaticLink(executableHost: host, archiveHost: archive))
            }
        case .file(let source):
            let host = try locateSource(source, field: "\(field).file")
            try table.addHostFile(host, at: item.destination, mode: item.mode, owner: item.owner, followLinks: true)
        case .caCertificates(let source):
            let host = try locateSource(source, field: "\(field).caCertificates")
            try table.addHostFile(host, at: item.destination, mode: item.mode ?? 0o644, owner: item.owner, followLinks: true)
        case .directory(let source):
            let host = try locateSource(source, field: "\(field).directory")
            try table.addTree(host, at: item.destination, owner: item.owner)
            if let mode = item.mode {
                try table.add(LayerEntry(path: item.destination, kind: .directory, mode: mode, owner: item.owner), explicit: true)
            }
        case .content(let text):
            try table.add(
                LayerEntry(path: item.destination, kind: .bytes(Array(text.utf8)), mode: item.mode ?? 0o644, owner: item.owner),
                explicit: true
            )
        case .makeDirectory:
            try table.add(LayerEntry(path: item.destination, kind: .directory, mode: item.mode ?? 0o755, owner: item.owner), explicit: true)
        case .symlink(let target):
            try table.add(LayerEntry(path: item.destination, kind: .symlink(target: target), mode: 0o777, owner: item.owner), explicit: true)
        }
    }

    private func locateSource(_ source: String, field: String) throws -> String {
        let path = source.hasPrefix("/") ? source : "\(baseDirectory)/\(source)"
        guard POSIXIO.exists(path) else { throw ImageSpecError.sourceMissing(field: field, path: path) }
        return path
    }

    /// A bare name is looked up beside charon-node's own executable first, then on `PATH`, so a
    /// checkout (`.build/release/`) and an installed node (`/usr/local/bin/`) both work.
    private func locateExecutable(_ source: String, field: String) throws -> String {
        if source.contains("/") { return try locateSource(source, field: field) }
        for directory in executableSearchPath where access("\(directory)/\(source)", X_OK) == 0 {
            return "\(directory)/\(source)"
        }
        throw ImageSpecError.sourceMissing(
            field: field,
            path: "\(source) (looked in \(executableSearchPath.joined(separator: ":")))"
        )
    }
}

/// Collects entries by path, adds parent folders, refuses conflicting duplicates and turns repeated
/// inodes into hard links.
///
/// It stays in this file, private: only ``LayerPlanner`` builds one, during a plan.
private struct EntryTable {
    private var entries: [String: LayerEntry] = [:]
    private var explicitDirectories: Set<String> = []
    private var inputs: Set<String> = []
    private var inodes: [String: (device: UInt64, inode: UInt64)] = [:]
    var staticLinks: Set<LayerPlanner.StaticLink> = []

    mutating func add(_ entry: LayerEntry, explicit: Bool) throws {
        try addParents(of: entry.path, owner: .root)
        if let existing = entries[entry.path], existing != entry {
            // Two folders merge; an explicit folder's mode and owner win over an implied parent's.
            guard case .directory = existing.kind, case .directory = entry.kind else {
                throw ImageSpecError.conflictingEntries(path: entry.path)
            }
            if explicitDirectories.contains(entry.path) && explicit { throw ImageSpecError.conflictingEntries(path: entry.path) }
            if !explicit { return }
        }
        entries[entry.path] = entry
        if explicit, case .directory = entry.kind { explicitDirectories.insert(entry.path) }
    }

    private mutating func addParents(of path: String, owner: Ownership) throws {
        var parent = POSIXIO.directoryName(of: path)
        var missing: [String] = []
        while parent != "." && parent != "/" && entries[parent] == nil {
            missing.append(parent)
            parent = POSIXIO.directoryName(of: parent)
        }
        if parent != "." && parent != "/", let existing = entries[parent], existing.kind != .directory {
            throw ImageSpecError.conflictingEntries(path: parent)
        }
        for directory in missing {
            entries[directory] = LayerEntry(path: directory, kind: .directory, mode: 0o755, owner: owner)
        }
    }

    mutating func addHostFile(_ host: String, at path: String, mode: UInt32?, owner: Ownership, followLinks: Bool = true) throws {
        var info = stat()
        guard (followLinks ? stat(host, &info) : lstat(host, &info)) == 0 else {
            throw SystemError(operation: "stat", path: host)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ImageSpecError.invalidValue(field: "source", value: host, reason: "not a regular file")
        }
        try addRegular(host, info: info, at: path, mode: mode ?? (UInt32(info.st_mode) & 0o7777), owner: owner)
    }

    private mutating func addRegular(_ host: String, info: stat, at path: String, mode: UInt32, owner: Ownership) throws {
        try add(LayerEntry(path: path, kind: .hostFile(path: host, size: Int64(info.st_size)), mode: mode, owner: owner), explicit: true)
        inodes[path] = (UInt64(info.st_dev), UInt64(info.st_ino))
        insertInput(host, info: info)
    }

    /// A host file the build depends on without copying it (a static archive the SBOM names).
    mutating func addInput(_ host: String) throws {
        var info = stat()
        guard stat(host, &info) == 0 else { throw SystemError(operation: "stat", path: host) }
        insertInput(host, info: info)
    }

    private mutating func insertInput(_ host: String, info: stat) {
        // ctime too: a file rewritten in place with its old size and mtime put back
        // (`touch -r`, `cp -p`) still moves ctime, which nothing but the kernel can set.
        inputs.insert(
            "\(host)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\t\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)\t\(info.st_ino)\t\(info.st_mode)"
        )
    }

    /// Copies a host folder: regular files, folders and symlinks (kept as links, not followed).
    mutating func addTree(_ host: String, at path: String, owner: Ownership) throws {
        var info = stat()
        guard stat(host, &info) == 0 else { throw SystemError(operation: "stat", path: host) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ImageSpecError.invalidValue(field: "directory", value: host, reason: "not a folder")
        }
        try add(LayerEntry(path: path, kind: .directory, mode: UInt32(info.st_mode) & 0o7777, owner: owner), explicit: false)
        inputs.insert("\(host)/\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\t\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)\t\(info.st_mode)")
        for name in try POSIXIO.listDirectory(host) {
            let child = "\(host)/\(name)"
            let target = "\(path)/\(name)"
            var childInfo = stat()
            guard lstat(child, &childInfo) == 0 else { throw SystemError(operation: "stat", path: child) }
            switch childInfo.st_mode & S_IFMT {
            case S_IFDIR:
                try addTree(child, at: target, owner: owner)
            case S_IFREG:
                try addRegular(child, info: childInfo, at: target, mode: UInt32(childInfo.st_mode) & 0o7777, owner: owner)
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(child, &buffer, buffer.count - 1)
                guard length >= 0 else { throw SystemError(operation: "read link", path: child) }
                let linkTarget = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                try add(LayerEntry(path: target, kind: .symlink(target: linkTarget), mode: 0o777, owner: owner), explicit: true)
                inputs.insert("\(child)\t->\(linkTarget)")
            default:
                throw ImageSpecError.invalidValue(field: "directory", value: child, reason: "devices, sockets and pipes cannot go into an image")
            }
        }
    }

    /// Sorted entries; a regular file whose inode was already written becomes a hard link to the
    /// first path (in sorted order) holding it, as `tar` itself does.
    func finish() -> LayerPlanner.Plan {
        var firstPathOfInode: [String: String] = [:]
        var result: [LayerEntry] = []
        for path in LayerPlanner.byteOrder(entries.keys) {
            var entry = entries[path]!
            if case .hostFile = entry.kind, let inode = inodes[path] {
                let key = "\(inode.device):\(inode.inode):\(entry.mode):\(entry.owner.uid):\(entry.owner.gid)"
                if let first = firstPathOfInode[key] {
                    entry.kind = .hardLink(to: first)
                } else {
                    firstPathOfInode[key] = path
                }
            }
            result.append(entry)
        }
        return LayerPlanner.Plan(entries: result, inputs: inputs.sorted(), staticLinks: staticLinks.sorted())
    }
}

extension LayerPlanner.Plan {
    /// This plan with `extra` entries (generated files: the SBOM, dpkg records) and any folder
    /// they need, still in byte order of their paths. A path the plan already holds is a
    /// conflict, as two spec items writing one path are.
    public func adding(_ extra: [LayerEntry]) throws -> LayerPlanner.Plan {
        var byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        for entry in extra {
            if let existing = byPath[entry.path], existing != entry { throw ImageSpecError.conflictingEntries(path: entry.path) }
            byPath[entry.path] = entry
            var parent = POSIXIO.directoryName(of: entry.path)
            while parent != "." && parent != "/" {
                if let existing = byPath[parent] {
                    guard existing.kind == .directory else { throw ImageSpecError.conflictingEntries(path: parent) }
                } else {
                    byPath[parent] = LayerEntry(path: parent, kind: .directory, mode: 0o755)
                }
                parent = POSIXIO.directoryName(of: parent)
            }
        }
        let sorted = LayerPlanner.byteOrder(byPath.keys).map { byPath[$0]! }
        return LayerPlanner.Plan(entries: sorted, inputs: inputs, staticLinks: staticLinks)
    }
}
