/// A declarative description of one image: its name, how its layers are compressed, how it runs,
/// and what each layer holds. Loaded from `images/<name>/image.yaml`.
///
/// ```yaml
/// reference: localhost/tailscale-lifecycle:latest
/// compression: none          # or gzip, zstd; with `compressionLevel: 19` for a release image
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
///
/// ```swift
/// let spec = try ImageSpec.load(from: "images/tailscale-lifecycle")  // the folder, or its image.yaml
/// print(spec.reference, spec.layers.map(\.name))  // localhost/tailscale-lifecycle:latest ["runtime"]
/// ```
public struct ImageSpec: Hashable, Sendable {
    /// Full image reference, `localhost/tailscale-lifecycle:latest`.
    public var reference: ImageReference
    /// How every layer of this image is compressed.
    public var compression: LayerCompression
    /// The compressor's level (`compressionLevel:`; zstd 1–19, gzip 1–9); nil: the library's
    /// default (zstd 3, gzip 6), fast enough for an image built on the node that runs it. A
    /// release image pulled by every node deserves more: the cost is build time, once.
    public var compressionLevel: Int?
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
        compressionLevel: Int? = nil,
        platform: Platform = .host,
        config: ImageConfiguration.RunConfig = .init(),
        layers: [LayerSpec],
        baseDirectory: String,
        path: String
    ) {
        self.reference = reference
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.platform = platform
        self.config = config
        self.layers = layers
        self.baseDirectory = baseDirectory
        self.path = path
    }
}
