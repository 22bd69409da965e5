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
