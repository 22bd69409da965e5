/// An OCI image manifest: one config and the ordered layers.
///
/// ```swift
/// let manifest = ImageManifest(
///     config: Descriptor(mediaType: MediaType.imageConfig, digest: configDigest, size: Int64(configBytes.count)),
///     layers: blobs.map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size) }
/// )
/// let manifestDigest = Digest.sha256(of: try CanonicalJSON.encode(manifest))
/// ```
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
