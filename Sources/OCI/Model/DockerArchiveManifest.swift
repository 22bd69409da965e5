/// One entry of a Docker-compatible `manifest.json` (what `docker load` reads).
///
/// ```swift
/// let docker = [
///     DockerArchiveManifest(
///         config: "blobs/sha256/\(configDigest.encoded)",
///         repoTags: ["localhost/tailscale-lifecycle:latest"],
///         layers: blobs.map { "blobs/sha256/\($0.digest.encoded)" }
///     )
/// ]
/// try archive.addFile("manifest.json", bytes: try CanonicalJSON.encode(docker))
/// ```
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
