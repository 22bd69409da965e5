/// A declarative description of one image: its name, how its layers are compressed, how it runs,
/// and what each layer holds. Loaded from `images/<name>/image.yaml`.
///
/// ```yaml
/// reference: localhost/tailscale-lifecycle:latest
/// compression: none
/// config:
///   user: "65532:65532"
///   entrypoint: [/usr/local/bin/charon-lifecycle]
/// layers:
///   - name: runtime
///     contents:
///       - executable: charon-lifecycle
///         destination: /usr/local/bin/charon-lifecycle
///       - caCertificates: true
/// ```
public struct ImageSpec: Hashable, Sendable {
    /// Full image reference, `localhost/tailscale-lifecycle:latest`.
    public var reference: ImageReference
    /// How every layer of this image is compressed.
    public var compression: LayerCompression
    /// The platform recorded in the config and index; defaults to the host's.
    public var platform: Platform
    /// How to run the image.
    public var config: ImageConfiguration.RunConfig
    /// The layers, bottom first.
    public var layers: [LayerSpec]
    /// The folder relative source paths are resolved against (the spec's folder).
    public var baseDirectory: String
    /// The spec file itself, for messages and the unchanged-input check.
    public var path: String

    public init(
        reference: ImageReference,
        compression: LayerCompression = .none,
        platform: Platform = .host,
        config: ImageConfiguration.RunConfig = .init(),
        layers: [LayerSpec],
        baseDirectory: String,
        path: String
    ) {
        self.reference = reference
        self.compression = compression
        self.platform = platform
        self.config = config
        self.layers = layers
        self.baseDirectory = baseDirectory
        self.path = path
    }
}

/// One layer: a name (for history and messages) and the items it holds.
public struct LayerSpec: Hashable, Sendable {
    public var name: String
    public var contents: [LayerItem]

    public init(name: String, contents: [LayerItem]) {
        self.name = name
        self.contents = contents
    }
}

/// Numeric ownership of an entry; charon never writes user or group names.
public struct Ownership: Hashable, Sendable {
    public var uid: Int
    public var gid: Int

    public static let root = Ownership(uid: 0, gid: 0)

    public init(uid: Int, gid: Int) {
        self.uid = uid
        self.gid = gid
    }
}

/// One thing placed into a layer.
public struct LayerItem: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// An ELF executable plus its shared-library closure and loader.
        case executable(source: String)
        /// One regular file copied from the host.
        case file(source: String)
        /// A host folder copied recursively (symlinks kept as links, hard links kept as links).
        case directory(source: String)
        /// A file whose text is given in the spec.
        case content(String)
        /// An empty folder.
        case makeDirectory
        /// A symbolic link pointing at `target`.
        case symlink(target: String)
        /// The host's CA bundle at the same path in the image.
        case caCertificates(source: String)
    }

    public var kind: Kind
    /// Absolute path inside the image.
    public var destination: String
    /// Permission bits; `nil` keeps the source's (or 0644 / 0755 for generated entries).
    public var mode: UInt32?
    /// Owner; root when not given.
    public var owner: Ownership

    public init(kind: Kind, destination: String, mode: UInt32? = nil, owner: Ownership = .root) {
        self.kind = kind
        self.destination = destination
        self.mode = mode
        self.owner = owner
    }
}

/// Compression of layer blobs.
public enum LayerCompression: String, Hashable, Sendable, CaseIterable {
    /// Plain tar: the fastest for an image built and imported on the same node.
    case none
    case gzip
    case zstd

    /// The layer media type for this compression.
    public var mediaType: String {
        switch self {
        case .none: MediaType.layerTar
        case .gzip: MediaType.layerGzip
        case .zstd: MediaType.layerZstd
        }
    }
}
