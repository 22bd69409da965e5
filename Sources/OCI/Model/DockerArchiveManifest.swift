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
