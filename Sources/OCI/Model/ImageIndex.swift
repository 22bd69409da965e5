/// An OCI image index; charon writes one as the layout's `index.json`.
///
/// ```swift
/// let index = ImageIndex(manifests: [
///     Descriptor(mediaType: MediaType.imageManifest, digest: manifestDigest, size: manifestSize, platform: .host)
/// ])
/// try archive.addFile("index.json", bytes: try CanonicalJSON.encode(index))
/// ```
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.imageIndex
    public var manifests: [Descriptor]

    public init(manifests: [Descriptor]) {
        self.manifests = manifests
    }
}
