/// The OCI image configuration blob: how to run the image and which layers (by diff_id) it has.
///
/// ```swift
/// let configuration = ImageConfiguration(
///     created: "1970-01-01T00:00:00Z",
///     platform: spec.platform,
///     config: spec.config,
///     diffIDs: blobs.map(\.diffID),
///     history: nil
/// )
/// let configBytes = try CanonicalJSON.encode(configuration)
/// ```
public struct ImageConfiguration: Codable, Hashable, Sendable {
    /// Runtime settings (the `config` object of the spec).
    public struct RunConfig: Codable, Hashable, Sendable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var stopSignal: String?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case user = "User"
            case env = "Env"
            case entrypoint = "Entrypoint"
            case cmd = "Cmd"
            case workingDir = "WorkingDir"
            case labels = "Labels"
            case stopSignal = "StopSignal"
        }
    }

    /// The uncompressed layer digests, in order.
    public struct RootFS: Codable, Hashable, Sendable {
        public var type = "layers"
        public var diffIDs: [Digest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// One history entry per layer, so tools that list history (skopeo, docker) show something.
    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var createdBy: String?
        public var comment: String?

        enum CodingKeys: String, CodingKey {
            case created
            case createdBy = "created_by"
            case comment
        }
    }

    public var created: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    public var config: RunConfig
    public var rootfs: RootFS
    public var history: [History]?

    public init(created: String?, platform: Platform, config: RunConfig, diffIDs: [Digest], history: [History]?) {
        self.created = created
        self.architecture = platform.architecture
        self.os = platform.os
        self.variant = platform.variant
        self.config = config
        self.rootfs = RootFS(diffIDs: diffIDs)
        self.history = history
    }
}
