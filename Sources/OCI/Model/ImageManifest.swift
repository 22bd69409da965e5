/// An OCI image manifest: one config and the ordered layers.
public struct ImageManifest: Codable, Hashable, Sendable {
    public var schemaVersion = 2
    public var mediaType = MediaType.imageManifest
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// An OCI image index; charon writes one as the layout's `index.json`.
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.imageIndex
    public var manifests: [Descriptor]

    public init(manifests: [Descriptor]) {
        self.manifests = manifests
    }
}

/// One entry of a Docker-compatible `manifest.json` (what `docker load` reads).
public struct DockerArchiveManifest: Codable, Hashable, Sendable {
    public var config: String
    public var repoTags: [String]
    public var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }
}
