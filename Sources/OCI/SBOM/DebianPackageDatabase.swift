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
    private let packages: [String: DebianPackage]
    /// Where each package's file list lives (`info/libc6:amd64.list`, `status.d/libc6.md5sums`).
    private let fileLists: [String: String]
    /// The file dpkg updates on every install: its stamp goes into the build fingerprint.
    public let statusFile: String?

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

    /// Reads the package records under `root` (`/` on a host). A system without dpkg has none:
    /// every file is then unowned.
    public init(root: String = "/") throws {
        self.root = root
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        let distro = Self.distro(osRelease: "\(base)/etc/os-release")
        var packages: [String: DebianPackage] = [:]
        var fileLists: [String: String] = [:]

        let dpkgStatus = "\(base)/var/lib/dpkg/status"
        if POSIXIO.exists(dpkgStatus) {
            statusFile = dpkgStatus
            for stanza in Self.stanzas(String(decoding: try POSIXIO.readFile(dpkgStatus), as: UTF8.self)) {
                guard stanza.fields["Status"]?.hasSuffix(" installed") == true, let package = Self.package(stanza, distro: distro) else {
                    continue
                }
                packages[package.name] = package
                for list in ["\(package.name):\(package.architecture).list", "\(package.name).list"] {
                    let path = "\(base)/var/lib/dpkg/info/\(list)"
                    if POSIXIO.exists(path) {
                        fileLists[package.name] = path
                        break
                    }
                }
            }
        } else {
            let folder = "\(base)/var/lib/dpkg/status.d"
            let names = (try? POSIXIO.listDirectory(folder)) ?? []
            statusFile = names.isEmpty ? nil : folder
            for name in names where !name.hasSuffix(".md5sums") {
                let text = String(decoding: try POSIXIO.readFile("\(folder)/\(name)"), as: UTF8.self)
                for stanza in Self.stanzas(text) {
                    guard let package = Self.package(stanza, distro: distro) else { continue }
                    packages[package.name] = package
                    if POSIXIO.exists("\(folder)/\(name).md5sums") { fileLists[package.name] = "\(folder)/\(name).md5sums" }
                }
            }
        }
        self.packages = packages
        self.fileLists = fileLists
    }

    /// The packages owning each of `paths` (host paths), by the names dpkg lists them under: the
    /// path itself, the path with its folders resolved, the file it links to, each with and
    /// without the `/usr` prefix that merged-`/usr` systems alias (`/lib` → `/usr/lib`).
    public func owners(of paths: [String]) throws -> [String: DebianPackage] {
        var wanted: [String: [String]] = [:]  // alias → the paths asked for
        for path in paths {
            for alias in Self.aliases(of: path) { wanted[alias, default: []].append(path) }
        }
        var result: [String: DebianPackage] = [:]
        for (path, name) in Self.generatedFiles where paths.contains(path) {
            if let package = packages[name] { result[path] = package }
        }
        guard !wanted.isEmpty else { return result }
        for name in fileLists.keys.sorted() {
            guard let list = fileLists[name], let package = packages[name] else { continue }
            for file in try Self.listedFiles(list) {
                guard let asked = wanted[file] else { continue }
                for path in asked where result[path] == nil { result[path] = package }
            }
        }
        return result
    }

    /// The package that owns one host path, if any.
    public func owner(of path: String) -> DebianPackage? {
        (try? owners(of: [path]))?[path]
    }

    /// The lines of `<package>.md5sums` for the files an image carries, keyed by the image path
    /// (`d41d8…  usr/lib/x86_64-linux-gnu/libz.so.1.2.13`), taken from dpkg's own records: nothing
    /// is hashed here. `files` maps each host path to its path in the image.
    public func md5sums(of package: DebianPackage, files: [(host: String, image: String)]) throws -> String {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
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

    /// Paths listed by a `.list` file (one absolute path a line) or an `.md5sums` file (`sum  path`,
    /// relative).
    static func listedFiles(_ path: String) throws -> [String] {
        let text = String(decoding: try POSIXIO.readFile(path), as: UTF8.self)
        if path.hasSuffix(".md5sums") {
            return text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ", maxSplits: 1)
                return parts.count == 2 ? "/" + parts[1].trimmingLeadingSpaces : nil
            }
        }
        return text.split(separator: "\n").map(String.init)
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
