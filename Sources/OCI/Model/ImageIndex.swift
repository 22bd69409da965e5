/// An OCI image index; charon writes one as the layout's `index.json`.
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.imageIndex
    public var manifests: [Descriptor]

    public init(manifests: [Descriptor]) {
        self.manifests = manifests
    }
}
