import CharonSupport
import YAML

#if canImport(Glibc)
import Glibc
#endif

extension ImageSpec {
    /// The file name looked up when `--spec` names a folder.
    public static let fileName = "image.yaml"

    /// Loads `images/<name>/image.yaml` (or a spec file given directly).
    ///
    /// Unknown fields are errors rather than being ignored, so a typo (`destinaton:`) is caught at
    /// build time instead of silently producing an image without the file.
    public static func load(from location: String) throws(ImageSpecError) -> ImageSpec {
        var info = stat()
        guard stat(location, &info) == 0 else {
            throw .unreadable(path: location, reason: SystemError.message(for: errno))
        }
        let path = (info.st_mode & S_IFMT) == S_IFDIR ? "\(location)/\(fileName)" : location
        let bytes: [UInt8]
        do {
            bytes = try POSIXIO.readFile(path)
        } catch {
            throw .unreadable(path: path, reason: (error as? SystemError).map { SystemError.message(for: $0.code) } ?? "\(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed(path: path, reason: "not UTF-8 text")
        }
        return try parse(text, path: path, baseDirectory: POSIXIO.directoryName(of: path))
    }

    /// Parses spec text; `path` and `baseDirectory` are used for messages and relative sources.
    public static func parse(_ text: String, path: String, baseDirectory: String) throws(ImageSpecError) -> ImageSpec {
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(text)
        } catch {
            throw .malformed(path: path, reason: error.description)
        }
        guard let root else { throw .malformed(path: path, reason: "the file is empty") }
        var reader = SpecNode(root, field: "")
        return try reader.decodeImageSpec(path: path, baseDirectory: baseDirectory)
    }
}

/// A YAML node with the dotted field path that leads to it, for error messages.
private struct SpecNode {
    let node: YAMLNode
    let field: String

    init(_ node: YAMLNode, field: String) {
        self.node = node
        self.field = field
    }

    func child(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    /// The mapping's entries, refusing keys outside `allowed`.
    func mapping(allowed: Set<String>) throws(ImageSpecError) -> [String: SpecNode] {
        guard let mapping = node.mapping else {
            throw .invalidValue(field: field.isEmpty ? "(top level)" : field, value: describe(node), reason: "expected a mapping")
        }
        var result: [String: SpecNode] = [:]
        for entry in mapping {
            guard let name = entry.key.string else { throw .unknownField(child(describe(entry.key))) }
            guard allowed.contains(name) else { throw .unknownField(child(name)) }
            result[name] = SpecNode(entry.value, field: child(name))
        }
        return result
    }

    func string() throws(ImageSpecError) -> String {
        guard let scalar = node.scalar else {
            throw .invalidValue(field: field, value: describe(node), reason: "expected a string")
        }
        return scalar
    }

    func strings() throws(ImageSpecError) -> [String] {
        if node.scalar != nil { return [try string()] }
        guard let sequence = node.sequence else {
            throw .invalidValue(field: field, value: describe(node), reason: "expected a list of strings")
        }
        var result: [String] = []
        for (index, element) in sequence.enumerated() {
            result.append(try SpecNode(element, field: "\(field)[\(index)]").string())
        }
        return result
    }

    func stringMap() throws(ImageSpecError) -> [String: String] {
        guard let mapping = node.mapping else {
            throw .invalidValue(field: field, value: describe(node), reason: "expected a mapping of strings")
        }
        var result: [String: String] = [:]
        for entry in mapping {
            guard let name = entry.key.string else { throw .unknownField(child(describe(entry.key))) }
            result[name] = try SpecNode(entry.value, field: child(name)).string()
        }
        return result
    }

    func bool() throws(ImageSpecError) -> Bool {
        guard let value = node.bool else {
            throw .invalidValue(field: field, value: describe(node), reason: "expected true or false")
        }
        return value
    }

    func list() throws(ImageSpecError) -> [SpecNode] {
        guard let sequence = node.sequence else {
            throw .invalidValue(field: field, value: describe(node), reason: "expected a list")
        }
        return sequence.enumerated().map { SpecNode($1, field: "\(field)[\($0)]") }
    }

    private func describe(_ node: YAMLNode) -> String { node.description }

    /// `[libarchive.a, libyaml.a]`: bare archive names, looked up where the linker finds them
    /// (a path would tie the spec to one machine's layout; a `.so` is found from the ELF itself).
    func staticLibraryNames() throws(ImageSpecError) -> [String] {
        let names = try strings()
        for (index, name) in names.enumerated() {
            guard !name.contains("/"), name.hasSuffix(".a"), name.count > 2 else {
                throw .invalidValue(
                    field: "\(field)[\(index)]",
                    value: name,
                    reason: "expected the file name of a static archive, like libarchive.a"
                )
            }
        }
        return names
    }

    // MARK: Spec shape

    mutating func decodeImageSpec(path: String, baseDirectory: String) throws(ImageSpecError) -> ImageSpec {
        let fields = try mapping(allowed: ["reference", "compression", "compressionLevel", "platform", "config", "layers"])
        guard let referenceNode = fields["reference"] else { throw .missingField("reference") }
        let reference = try ImageReference(parsing: try referenceNode.string())

        var compression = LayerCompression.none
        if let node = fields["compression"] {
            let text = try node.string()
            guard let value = LayerCompression(rawValue: text) else {
                throw .invalidValue(field: "compression", value: text, reason: "expected none, gzip or zstd")
            }
            compression = value
        }
        var compressionLevel: Int?
        if let node = fields["compressionLevel"] {
            let text = try node.string()
            let range: ClosedRange<Int>? =
                switch compression {
                case .zstd: 1...19
                case .gzip: 1...9
                case .none: nil
                }
            guard let range else {
                throw .invalidValue(field: "compressionLevel", value: text, reason: "uncompressed layers have no level")
            }
            guard let level = Int(text), range.contains(level) else {
                let reason = "expected \(range.lowerBound) to \(range.upperBound) for \(compression)"
                throw .invalidValue(field: "compressionLevel", value: text, reason: reason)
            }
            compressionLevel = level
        }

        var platform = Platform.host
        if let node = fields["platform"] {
            let text = try node.string()
            guard let value = Platform(parsing: text) else {
                throw .invalidValue(field: "platform", value: text, reason: "expected os/architecture")
            }
            platform = value
        }

        var config = ImageConfiguration.RunConfig()
        // Non-root unless the spec says otherwise: 65532 is the conventional "nonroot" id.
        config.user = "65532:65532"
        if let node = fields["config"] {
            config = try node.decodeRunConfig(defaultUser: config.user)
        }

        guard let layersNode = fields["layers"] else { throw .missingField("layers") }
        let layerNodes = try layersNode.list()
        guard !layerNodes.isEmpty else {
            throw .invalidValue(field: "layers", value: "[]", reason: "an image needs at least one layer")
        }
        var layers: [LayerSpec] = []
        for (index, layerNode) in layerNodes.enumerated() {
            layers.append(try layerNode.decodeLayer(index: index))
        }
        return ImageSpec(
            reference: reference,
            compression: compression,
            compressionLevel: compressionLevel,
            platform: platform,
            config: config,
            layers: layers,
            baseDirectory: baseDirectory,
            path: path
        )
    }

    func decodeRunConfig(defaultUser: String?) throws(ImageSpecError) -> ImageConfiguration.RunConfig {
        let fields = try mapping(allowed: ["user", "entrypoint", "cmd", "env", "workingDir", "labels", "stopSignal"])
        var config = ImageConfiguration.RunConfig()
        config.user = try fields["user"]?.string() ?? defaultUser
        config.entrypoint = try fields["entrypoint"]?.strings()
        config.cmd = try fields["cmd"]?.strings()
        config.workingDir = try fields["workingDir"]?.string()
        config.labels = try fields["labels"]?.stringMap()
        config.stopSignal = try fields["stopSignal"]?.string()
        if let envNode = fields["env"] {
            let env = try envNode.stringMap()
            config.env = env.keys.sorted().map { "\($0)=\(env[$0]!)" }
        }
        return config
    }

    func decodeLayer(index: Int) throws(ImageSpecError) -> LayerSpec {
        let fields = try mapping(allowed: ["name", "contents"])
        let name = try fields["name"]?.string() ?? "layer-\(index)"
        guard let contentsNode = fields["contents"] else { throw .missingField(child("contents")) }
        var items: [LayerItem] = []
        for itemNode in try contentsNode.list() {
            items.append(try itemNode.decodeItem())
        }
        return LayerSpec(name: name, contents: items)
    }

    static let itemKinds: Set<String> = ["executable", "file", "directory", "content", "mkdir", "symlink", "caCertificates"]

    func decodeItem() throws(ImageSpecError) -> LayerItem {
        let fields = try mapping(allowed: Self.itemKinds.union(["destination", "mode", "owner", "staticLibraries"]))
        let kinds = fields.keys.filter { Self.itemKinds.contains($0) }
        guard kinds.count == 1, let kindName = kinds.first, let kindNode = fields[kindName] else {
            throw .invalidValue(
                field: field,
                value: kinds.sorted().joined(separator: ", "),
                reason: "each item needs exactly one of \(Self.itemKinds.sorted().joined(separator: ", "))"
            )
        }
        if let node = fields["staticLibraries"], kindName != "executable" {
            // Only an executable links anything; on a file or folder the list would be ignored.
            throw .invalidValue(field: node.field, value: kindName, reason: "only an executable item links static libraries")
        }

        var mode: UInt32?
        if let node = fields["mode"] {
            let text = try node.string()
            guard let value = UInt32(text, radix: 8), value <= 0o7777 else {
                throw .invalidValue(field: child("mode"), value: text, reason: "expected octal permission bits like \"0755\"")
            }
            mode = value
        }
        var owner = Ownership.root
        if let node = fields["owner"] {
            let text = try node.string()
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let uid = Int(parts[0]), let gid = Int(parts[1]), uid >= 0, gid >= 0 else {
                throw .invalidValue(field: child("owner"), value: text, reason: "expected numeric uid:gid")
            }
            owner = Ownership(uid: uid, gid: gid)
        }

        let destinationField = child("destination")
        func destination(default fallback: String? = nil) throws(ImageSpecError) -> String {
            if let node = fields["destination"] { return try node.string() }
            if let fallback { return fallback }
            throw .missingField(destinationField)
        }

        let kind: LayerItem.Kind
        let target: String
        switch kindName {
        case "executable":
            let source = try kindNode.string()
            kind = .executable(source: source, staticLibraries: try fields["staticLibraries"]?.staticLibraryNames() ?? [])
            target = try destination(default: "/usr/local/bin/\(POSIXIO.baseName(of: source))")
        case "file":
            kind = .file(source: try kindNode.string())
            target = try destination()
        case "directory":
            kind = .directory(source: try kindNode.string())
            target = try destination()
        case "content":
            kind = .content(try kindNode.string())
            target = try destination()
        case "mkdir":
            kind = .makeDirectory
            target = try kindNode.string()
        case "symlink":
            kind = .symlink(target: try kindNode.string())
            target = try destination()
        default:  // caCertificates: true, or a path to the bundle
            let bundle = "/etc/ssl/certs/ca-certificates.crt"
            if kindNode.node.bool != nil {
                guard try kindNode.bool() else {
                    throw .invalidValue(field: kindNode.field, value: "false", reason: "leave the item out instead")
                }
                kind = .caCertificates(source: bundle)
            } else {
                kind = .caCertificates(source: try kindNode.string())
            }
            target = try destination(default: bundle)
        }
        let normalized = try ImagePath.normalize(target, field: destinationField)
        return LayerItem(kind: kind, destination: normalized, mode: mode, owner: owner)
    }
}
