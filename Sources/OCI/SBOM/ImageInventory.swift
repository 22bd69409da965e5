import CharonSupport

/// What an image is made of, worked out from its planned layers before anything is written: the
/// Debian package behind each host file, the charon executables, the Swift packages they link and
/// the Debian packages of the C archives they link statically, as an SPDX 2.3 document; and the
/// files that carry it into the image, so scanners that read distroless images see every package
/// (`/var/lib/dpkg/status.d/<package>`, its `.md5sums`) and the SBOM itself
/// (`/var/lib/db/sbom/<name>.spdx.json`, where apko puts it).
///
/// The same plans and package records give the same bytes: no clock, no random namespace.
///
/// ```swift
/// let inventory = try ImageInventory(spec: spec, plans: plans, database: DebianPackageDatabase(),
///                                    sourceDateEpoch: 0)
/// inventory.debianPackages.map(\.name)  // ["base-files", "ca-certificates", "libc6", …]
/// inventory.staticallyLinked.map { $0.package.name }  // ["libarchive-dev", "libyaml-dev"]
/// let layers = try inventory.plansWithRecords()  // the plans with status.d and the SBOM added
/// ```
public struct ImageInventory: Sendable {
    /// Where in the image the SBOM goes (relative, as layer paths are).
    public static let sbomFolder = "var/lib/db/sbom"
    public static let statusFolder = "var/lib/dpkg/status.d"

    public let plans: [LayerPlanner.Plan]
    public let debianPackages: [DebianPackage]
    public let executables: [ExecutableBuildInfo]
    /// The Debian packages of the static archives the executables link (``LayerPlanner/StaticLink``),
    /// with the SPDX id of the executable linking each, sorted by id then package.
    public let staticallyLinked: [(executableID: String, package: DebianPackage)]
    public let document: SPDXDocument
    /// `document` as written, beside the tarball and inside the image.
    public let documentBytes: [UInt8]
    /// `var/lib/db/sbom/tailscale-lifecycle.spdx.json`.
    public let sbomPath: String
    /// Per layer, the Debian packages whose files it holds.
    private let packagesByLayer: [[DebianPackage]]
    /// Per package, its files in the whole image (host path, image path).
    private let filesByPackage: [String: [(host: String, image: String)]]
    private let database: DebianPackageDatabase

    public init(spec: ImageSpec, plans: [LayerPlanner.Plan], database: DebianPackageDatabase, sourceDateEpoch: Int) throws {
        self.plans = plans
        self.database = database
        let hostFiles = plans.map { plan in
            plan.entries.compactMap { entry -> (host: String, image: String, executable: Bool)? in
                guard case .hostFile(let host, _) = entry.kind else { return nil }
                return (host, "/" + entry.path, entry.mode & 0o111 != 0)
            }
        }
        let staticLinks = Set(plans.flatMap(\.staticLinks)).sorted()
        // One scan of the file lists for both: it is the costly part.
        let owners = try database.owners(of: hostFiles.flatMap { $0.map(\.host) } + staticLinks.map(\.archiveHost))

        var packagesByLayer: [[DebianPackage]] = []
        var filesByPackage: [String: [(host: String, image: String)]] = [:]
        var debianPackages: [String: DebianPackage] = [:]
        var executables: [String: ExecutableBuildInfo] = [:]
        // By host path too, for the static links below: reading it scans the whole binary.
        var buildInfoByHost: [String: ExecutableBuildInfo] = [:]
        for files in hostFiles {
            var inLayer: [String: DebianPackage] = [:]
            for file in files {
                if let package = owners[file.host] {
                    filesByPackage[package.name, default: []].append((file.host, file.image))
                    inLayer[package.name] = package
                    debianPackages[package.name] = package
                } else if file.executable, let info = try ExecutableBuildInfo.read(from: file.host) {
                    executables[info.name] = info
                    buildInfoByHost[file.host] = info
                }
            }
            packagesByLayer.append(inLayer.keys.sorted().map { inLayer[$0]! })
        }
        self.packagesByLayer = packagesByLayer
        self.filesByPackage = filesByPackage
        self.debianPackages = debianPackages.keys.sorted().map { debianPackages[$0]! }
        self.executables = executables.keys.sorted().map { executables[$0]! }

        // An archive leaves no file in the image: its package is named only by the executable's
        // declaration, linked from that executable. An archive dpkg does not know (built by hand)
        // goes unnamed, as an unowned file of the image does.
        var staticallyLinked: [String: (executableID: String, package: DebianPackage)] = [:]
        for link in staticLinks {
            guard let package = owners[link.archiveHost] else { continue }
            let executableID = Self.linkingID(owner: owners[link.executableHost], buildInfo: buildInfoByHost[link.executableHost])
            staticallyLinked["\(executableID) \(package.name)"] = (executableID, package)
        }
        self.staticallyLinked = staticallyLinked.keys.sorted().map { staticallyLinked[$0]! }

        let imageName = POSIXIO.baseName(of: spec.reference.repository)
        sbomPath = "\(Self.sbomFolder)/\(imageName).spdx.json"
        document = Self.document(
            reference: spec.reference.description,
            debianPackages: self.debianPackages,
            executables: self.executables,
            staticallyLinked: self.staticallyLinked,
            created: RFC3339.format(epochSeconds: sourceDateEpoch)
        )
        documentBytes = try CanonicalJSON.encode(document) + Array("\n".utf8)
    }

    /// The SPDX id of an executable that links a static archive, as the document lists it: the
    /// Debian package that ships it, else the charon executable its build info names, else (a
    /// binary of unknown origin, which the document does not list) the image itself.
    static func linkingID(owner: DebianPackage?, buildInfo: ExecutableBuildInfo?) -> String {
        if let owner { return owner.spdxID }
        if let buildInfo { return buildInfo.spdxID }
        return SPDXDocument.identifier("Image")
    }

    /// The plans with the records added: each layer gets `status.d/<package>` and its
    /// `.md5sums` for the packages whose files it holds; the last layer gets the SBOM.
    /// A statically linked package gets no record: none of its files is in the image, and a
    /// scanner reading `status.d` would take it for installed there.
    ///
    /// A package's `.md5sums` lists its files in the whole image, not only the layer's: a later
    /// layer's copy hides an earlier one's, so every copy must be the complete list.
    public func plansWithRecords() throws -> [LayerPlanner.Plan] {
        var records: [String: [LayerEntry]] = [:]
        for package in debianPackages {
            var entries = [LayerEntry(path: "\(Self.statusFolder)/\(package.name)", kind: .bytes(Array(package.stanza.utf8)), mode: 0o644)]
            let files = (filesByPackage[package.name] ?? []).map { ($0.host, String($0.image.dropFirst())) }
            let sums = try database.md5sums(of: package, files: files)
            if !sums.isEmpty {
                entries.append(LayerEntry(path: "\(Self.statusFolder)/\(package.name).md5sums", kind: .bytes(Array(sums.utf8)), mode: 0o644))
            }
            records[package.name] = entries
        }
        return try plans.indices.map { index in
            var extra = packagesByLayer[index].flatMap { records[$0.name] ?? [] }
            if index == plans.count - 1 {
                extra.append(LayerEntry(path: sbomPath, kind: .bytes(documentBytes), mode: 0o644))
            }
            return try plans[index].adding(extra)
        }
    }

    static func document(
        reference: String,
        debianPackages: [DebianPackage],
        executables: [ExecutableBuildInfo],
        staticallyLinked: [(executableID: String, package: DebianPackage)] = [],
        created: String
    ) -> SPDXDocument {
        let imageID = SPDXDocument.identifier("Image")
        var packages: [SPDXDocument.Package] = [
            .init(SPDXID: imageID, name: reference, primaryPackagePurpose: "CONTAINER")
        ]
        var relationships: [SPDXDocument.Relationship] = []
        func contains(_ id: String) {
            relationships.append(.init(spdxElementId: imageID, relationshipType: "CONTAINS", relatedSpdxElement: id))
        }
        func debian(_ package: DebianPackage, comment: String? = nil) -> SPDXDocument.Package {
            .init(
                SPDXID: package.spdxID,
                name: package.name,
                versionInfo: package.version,
                supplier: package.maintainer.map(Self.supplier) ?? "NOASSERTION",
                sourceInfo: "built package from: \(package.sourceName) \(package.sourceVersion)",
                primaryPackagePurpose: "LIBRARY",
                externalRefs: [.purl(package.purl)],
                comment: comment
            )
        }
        for package in debianPackages {
            let entry = debian(package)
            packages.append(entry)
            contains(entry.SPDXID)
        }
        // Packages only linked in: listed once (after those the image holds, by name), with a
        // STATIC_LINK from each executable that links them and no CONTAINS (and no status.d
        // record): none of their files is in the image.
        let contained = Set(debianPackages.map(\.name))
        var linkedOnly: [String: SPDXDocument.Package] = [:]
        for link in staticallyLinked where !contained.contains(link.package.name) {
            linkedOnly[link.package.name] = debian(link.package, comment: "statically linked: none of its files is in the image")
        }
        packages += linkedOnly.keys.sorted().map { linkedOnly[$0]! }
        var swiftPackages: [String: SPDXDocument.Package] = [:]
        for executable in executables {
            let id = executable.spdxID
            packages.append(
                .init(
                    SPDXID: id,
                    name: executable.name,
                    versionInfo: executable.version,
                    supplier: "Organization: charon-node",
                    primaryPackagePurpose: "APPLICATION",
                    externalRefs: [.purl("pkg:generic/\(PackageURL.escape(executable.name))@\(PackageURL.escape(executable.version))")],
                    comment: "statically linked with the Swift runtime and the Swift packages it STATIC_LINKs"
                )
            )
            contains(id)
            var linked = executable.swiftPackages
            if let swift = executable.swift {
                linked.append(.init(name: "swift", version: swift, url: "https://github.com/swiftlang/swift"))
            }
            for swiftPackage in linked {
                let packageID = SPDXDocument.identifier("swift", swiftPackage.name, swiftPackage.version ?? "unknown")
                swiftPackages[packageID] = .init(
                    SPDXID: packageID,
                    name: swiftPackage.name,
                    versionInfo: swiftPackage.version,
                    supplier: "NOASSERTION",
                    primaryPackagePurpose: "LIBRARY",
                    externalRefs: swiftPackage.name == "swift"
                        ? swiftPackage.version.map { [.purl("pkg:github/swiftlang/swift@swift-\($0)-RELEASE")] }
                        : swiftPackage.purl.map { [.purl($0)] }
                )
                relationships.append(.init(spdxElementId: id, relationshipType: "STATIC_LINK", relatedSpdxElement: packageID))
            }
        }
        packages += swiftPackages.keys.sorted().map { swiftPackages[$0]! }
        for link in staticallyLinked {
            relationships.append(.init(spdxElementId: link.executableID, relationshipType: "STATIC_LINK", relatedSpdxElement: link.package.spdxID))
        }

        // The namespace must be unique per document, and the same for the same content: it is
        // named after a digest of everything the document lists.
        let listing = packages.map { "\($0.name) \($0.versionInfo ?? "")" }.joined(separator: "\n")
        let digest = Digest.sha256(of: Array("\(reference)\n\(listing)".utf8)).encoded
        var document = SPDXDocument(
            name: reference,
            namespace: "https://spdx.org/spdxdocs/charon-node/\(PackageURL.escape(reference))-\(digest)",
            created: created,
            creators: ["Tool: charon-node-\(CharonVersion.current)"]
        )
        document.documentDescribes = [imageID]
        document.packages = packages
        document.relationships =
            [.init(spdxElementId: document.SPDXID, relationshipType: "DESCRIBES", relatedSpdxElement: imageID)] + relationships
        return document
    }

    /// SPDX's `Organization: name (email)` from dpkg's `Name <email>`.
    static func supplier(_ maintainer: String) -> String {
        guard let open = maintainer.firstIndex(of: "<"), let close = maintainer.lastIndex(of: ">"), open < close else {
            return "Organization: \(maintainer)"
        }
        let name = maintainer[..<open].trimmingWhitespace()
        let email = maintainer[maintainer.index(after: open)..<close]
        return "Organization: \(name) (\(email))"
    }
}

extension ExecutableBuildInfo {
    /// The executable's id in the SBOM (`SPDXRef-charon-charon-node`).
    var spdxID: String { SPDXDocument.identifier("charon", name) }
}

extension DebianPackage {
    /// The package's id in the SBOM (`SPDXRef-deb-libc6-amd64`): the same wherever it is listed
    /// or linked from.
    var spdxID: String { SPDXDocument.identifier("deb", name, architecture) }
}
