import CharonSupport
import Glibc

/// What dpkg knows about the installed packages, read to tell which package each file of an image
/// comes from.
///
/// Two layouts are read: dpkg's own (`var/lib/dpkg/status` and `info/<package>.list`), on a
/// Debian host, and the distroless one charon writes into its images (`status.d/<package>` and
/// `status.d/<package>.md5sums`), so the agent building the lifecycle image inside its own
/// container names the same packages as a build on the host.
///
/// ```swift
/// let database = try DebianPackageDatabase(root: "/")
/// database.owner(of: "/usr/sbin/nft")?.name  // "nftables"
/// ```
public struct DebianPackageDatabase: Sendable {
    /// Files dpkg does not list because a maintainer script generates them, and the package whose
    /// data they are made of.
    static let generatedFiles = ["/etc/ssl/certs/ca-certificates.crt": "ca-certificates"]

    public let root: String
    /// The root without a trailing slash, to join paths to.
    private let base: String
    /// `ID-VERSION_ID` of the system (`debian-12`), for the packages' purls.
    private let distro: String?
    /// Each package's list of files, by package name (`info/libc6:amd64.list` on a host,
    /// `status.d/libc6.md5sums` in a distroless image).
    private let fileLists: [String: String]
    /// dpkg's status file, or nil in the distroless layout (one `status.d/<package>` a package).
    private let statusFile: String?

    /// The files whose change means the package records changed: dpkg's status file, or the
    /// status.d folder of a distroless image (whichever `root` has).
    public static func recordPaths(root: String) -> [String] {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return ["\(base)/var/lib/dpkg/status", "\(base)/var/lib/dpkg/status.d"].filter(POSIXIO.exists)
    }

    /// Size, mtime and ctime of each of ``recordPaths(root:)``: a line for the build fingerprint,
    /// taken without reading the records.
    public static func stamp(root: String) -> String {
        recordPaths(root: root).map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return path }
            return "\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        }.joined(separator: " ")
    }

    /// Finds the package records under `root` (`/` on a host). Only names are read here; the
    /// records themselves are read when a lookup needs them. A system without dpkg has none: every
    /// file is then unowned.
    public init(root: String = "/") throws {
        self.root = root
        base = root.hasSuffix("/") ? String(root.dropLast()) : root
        distro = Self.distro(osRelease: "\(base)/etc/os-release")
        var lists: [String: String] = [:]
        if POSIXIO.exists("\(base)/var/lib/dpkg/status") {
            statusFile = "\(base)/var/lib/dpkg/status"
            let folder = "\(base)/var/lib/dpkg/info"
            for name in (try? POSIXIO.listDirectory(folder)) ?? [] where name.hasSuffix(".list") {
                // `libc6:amd64.list` or `base-files.list`
                let package = name.dropLast(".list".count).prefix { $0 != ":" }
                lists[String(package)] = "\(folder)/\(name)"
            }
        } else {
            statusFile = nil
            let folder = "\(base)/var/lib/dpkg/status.d"
            for name in (try? POSIXIO.listDirectory(folder)) ?? [] where name.hasSuffix(".md5sums") {
                lists[String(name.dropLast(".md5sums".count))] = "\(folder)/\(name)"
            }
        }
        fileLists = lists
    }

    /// The packages owning each of `paths` (host paths), by the names dpkg lists them under: the
    /// path itself, the path with its folders resolved, the file it links to, each with and
    /// without the `/usr` prefix that merged-`/usr` systems alias (`/lib` → `/usr/lib`).
    ///
    /// Every file list is scanned as bytes, a line compared only when its length is one asked
    /// for: a host has some 120,000 listed files, and an image build must stay near the cost of
    /// reading its own inputs.
    public func owners(of paths: [String]) throws -> [String: DebianPackage] {
        var wanted: [Int: [(name: [UInt8], asked: [String])]] = [:]  // length → aliases
        var aliasesAsked: [String: [String]] = [:]
        for path in paths {
            for alias in Self.aliases(of: path) { aliasesAsked[alias, default: []].append(path) }
        }
        for (alias, asked) in aliasesAsked {
            let bytes = Array(alias.utf8)
            wanted[bytes.count, default: []].append((bytes, asked))
        }
        var ownerNames: [String: String] = [:]  // asked path → package name
        for (path, name) in Self.generatedFiles where paths.contains(path) {
            ownerNames[path] = name
        }
        let relative = statusFile == nil  // md5sums lines: `<sum>  <path without the leading />`
        for name in fileLists.keys.sorted() where !wanted.isEmpty {
            let bytes = try POSIXIO.readFile(fileLists[name]!)
            bytes.withUnsafeBufferPointer { buffer in
                Self.forEachListedPath(in: buffer, relative: relative) { line in
                    guard let candidates = wanted[line.count] else { return }
                    for candidate in candidates {
                        let same = candidate.name.withUnsafeBufferPointer { memcmp($0.baseAddress!, line.baseAddress!, line.count) == 0 }
                        guard same else { continue }
                        for path in candidate.asked where ownerNames[path] == nil { ownerNames[path] = name }
                    }
                }
            }
        }
        let packages = try records(named: Set(ownerNames.values))
        return ownerNames.compactMapValues { packages[$0] }
    }

    /// The package that owns one host path, if any.
    public func owner(of path: String) -> DebianPackage? {
        (try? owners(of: [path]))?[path]
    }

    /// The lines of `<package>.md5sums` for the files an image carries, keyed by the image path
    /// (`d41d8…  usr/lib/x86_64-linux-gnu/libz.so.1.2.13`), taken from dpkg's own records: nothing
    /// is hashed here. `files` maps each host path to its path in the image.
    public func md5sums(of package: DebianPackage, files: [(host: String, image: String)]) throws -> String {
        let candidates = [
            "\(base)/var/lib/dpkg/info/\(package.name):\(package.architecture).md5sums",
            "\(base)/var/lib/dpkg/info/\(package.name).md5sums",
            "\(base)/var/lib/dpkg/status.d/\(package.name).md5sums",
        ]
        guard let path = candidates.first(where: POSIXIO.exists) else { return "" }
        var sums: [String: String] = [:]  // "/usr/lib/…" → md5
        for line in String(decoding: try POSIXIO.readFile(path), as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            sums["/" + parts[1].trimmingLeadingSpaces] = String(parts[0])
        }
        var lines: [String] = []
        for file in files {
            guard let sum = Self.aliases(of: file.host).lazy.compactMap({ sums[$0] }).first else { continue }
            lines.append("\(sum)  \(file.image)")
        }
        return lines.sorted().map { $0 + "\n" }.joined()
    }

    // MARK: Reading dpkg's files

    struct Stanza {
        var fields: [String: String]
        var text: String
    }

    /// Splits a deb822 file into stanzas (blank-line separated), keeping each one's text.
    static func stanzas(_ text: String) -> [Stanza] {
        var result: [Stanza] = []
        var lines: [Substring] = []
        func flush() {
            guard !lines.isEmpty else { return }
            var fields: [String: String] = [:]
            var current: String?
            for line in lines {
                if line.first == " " || line.first == "\t" {
                    if let current { fields[current, default: ""] += "\n" + line }
                } else if let colon = line.firstIndex(of: ":") {
                    let key = String(line[..<colon])
                    fields[key] = line[line.index(after: colon)...].trimmingLeadingSpaces
                    current = key
                }
            }
            result.append(Stanza(fields: fields, text: lines.joined(separator: "\n") + "\n"))
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { flush() } else { lines.append(line) }
        }
        flush()
        return result
    }

    static func package(_ stanza: Stanza, distro: String?) -> DebianPackage? {
        guard let name = stanza.fields["Package"], let version = stanza.fields["Version"],
            let architecture = stanza.fields["Architecture"]
        else { return nil }
        var sourceName = name
        var sourceVersion = version
        if let source = stanza.fields["Source"] {
            // "glibc" or "glibc (2.36-9)"
            let parts = source.split(separator: " ", maxSplits: 1)
            sourceName = String(parts[0])
            if parts.count == 2 { sourceVersion = String(parts[1].dropFirst().dropLast()) }
        }
        return DebianPackage(
            name: name,
            version: version,
            architecture: architecture,
            sourceName: sourceName,
            sourceVersion: sourceVersion,
            maintainer: stanza.fields["Maintainer"],
            stanza: stanza.text,
            distro: distro
        )
    }

    /// The installed packages named, read from dpkg's status file (only their stanzas are
    /// parsed) or from their own `status.d` records.
    func records(named names: Set<String>) throws -> [String: DebianPackage] {
        guard !names.isEmpty else { return [:] }
        var result: [String: DebianPackage] = [:]
        if let statusFile {
            // Stanzas are found by their first line, `Package: <name>`, on the bytes: only the
            // few wanted ones are decoded and parsed (the file holds every installed package).
            let bytes = try POSIXIO.readFile(statusFile)
            let prefix = Array("Package: ".utf8)
            var stanzaStart: Int?
            var wantedStart: Int?
            var index = 0
            func finish(at end: Int) throws {
                guard let start = wantedStart else { return }
                wantedStart = nil
                for stanza in Self.stanzas(String(decoding: bytes[start..<end], as: UTF8.self))
                where stanza.fields["Status"]?.hasSuffix(" installed") == true {
                    if let package = Self.package(stanza, distro: distro) { result[package.name] = package }
                }
            }
            while index < bytes.count {
                let lineEnd = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
                if lineEnd == index {
                    try finish(at: index)
                    stanzaStart = nil
                } else if stanzaStart == nil {
                    stanzaStart = index
                    if bytes[index..<lineEnd].starts(with: prefix) {
                        let name = String(decoding: bytes[(index + prefix.count)..<lineEnd], as: UTF8.self)
                        if names.contains(name) { wantedStart = index }
                    }
                }
                index = lineEnd + 1
            }
            try finish(at: bytes.count)
        } else {
            for name in names {
                let record = "\(base)/var/lib/dpkg/status.d/\(name)"
                guard POSIXIO.exists(record) else { continue }
                for stanza in Self.stanzas(String(decoding: try POSIXIO.readFile(record), as: UTF8.self)) {
                    if let package = Self.package(stanza, distro: distro) { result[package.name] = package }
                }
            }
        }
        return result
    }

    /// Each path a file list holds, as bytes without its line break: a `.list` line is the path
    /// itself; an `.md5sums` line (`relative`) is `<sum>  <path>` with the leading `/` left off,
    /// given back here with it.
    static func forEachListedPath(in bytes: UnsafeBufferPointer<UInt8>, relative: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        var scratch = [UInt8]()
        var offset = 0
        while offset < bytes.count {
            let newline = memchr(start + offset, 0x0A, bytes.count - offset)
            let end = newline.map { start.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
            var line = UnsafeBufferPointer(start: start + offset, count: end - offset)
            offset = end + 1
            if relative {
                // Skip the sum and the spaces after it, then put the `/` back.
                guard let space = line.firstIndex(of: 0x20) else { continue }
                var pathStart = space
                while pathStart < line.count, line[pathStart] == 0x20 { pathStart += 1 }
                scratch.removeAll(keepingCapacity: true)
                scratch.append(0x2F)
                scratch.append(contentsOf: line[pathStart...])
                scratch.withUnsafeBufferPointer { body($0) }
                continue
            }
            if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            if !line.isEmpty { body(line) }
        }
    }

    /// `debian-12` from `ID=debian` and `VERSION_ID="12"`.
    static func distro(osRelease path: String) -> String? {
        guard let bytes = try? POSIXIO.readFile(path) else { return nil }
        var fields: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[String(parts[0])] = String(parts[1].filter { $0 != "\"" && $0 != "'" })
        }
        guard let id = fields["ID"] else { return nil }
        return fields["VERSION_ID"].map { "\(id)-\($0)" } ?? id
    }

    /// The names dpkg may list one host file under.
    static func aliases(of path: String) -> [String] {
        var names = [path]
        let folder = POSIXIO.directoryName(of: path)
        if let resolvedFolder = realPath(folder) { names.append("\(resolvedFolder)/\(POSIXIO.baseName(of: path))") }
        if let resolved = realPath(path) { names.append(resolved) }
        for name in names {
            for (short, long) in [("/lib", "/usr/lib"), ("/lib64", "/usr/lib64"), ("/bin", "/usr/bin"), ("/sbin", "/usr/sbin")] {
                if name.hasPrefix(short + "/") { names.append(long + name.dropFirst(short.count)) }
                if name.hasPrefix(long + "/") { names.append(short + name.dropFirst(long.count)) }
            }
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension Substring {
    fileprivate var trimmingLeadingSpaces: String { String(drop { $0 == " " || $0 == "\t" }) }
}
