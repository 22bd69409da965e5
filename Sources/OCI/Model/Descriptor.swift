/// An OCI content descriptor: what a blob is, how big, and its digest.
///
/// ```swift
/// let config = Descriptor(mediaType: MediaType.imageConfig, digest: digest, size: 512)
/// ```
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var platform: Platform?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, platform: Platform? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }
}
