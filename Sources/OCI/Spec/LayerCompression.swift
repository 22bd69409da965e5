/// Compression of layer blobs.
///
/// ```swift
/// LayerCompression(rawValue: "zstd")  // .zstd, as `compression: zstd` in image.yaml
/// LayerCompression.gzip.mediaType      // "application/vnd.oci.image.layer.v1.tar+gzip"
/// ```
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
