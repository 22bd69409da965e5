/// A container image reference split into repository and tag, e.g.
/// `localhost/tailscale-lifecycle:latest` → repository `localhost/tailscale-lifecycle`, tag `latest`.
///
/// ```swift
/// let reference = try ImageReference(parsing: "localhost/tailscale-lifecycle:latest")
/// reference.tag  // "latest"
/// ```
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public var repository: String
    public var tag: String

    /// Parses `[registry/]path[:tag]`; the tag defaults to `latest`. Digest references are refused:
    /// a built image is named by tag.
    public init(parsing text: String) throws(ImageSpecError) {
        guard !text.isEmpty, !text.contains("@") else {
            throw .invalidValue(field: "reference", value: text, reason: "expected repository[:tag]")
        }
        var repository = text
        var tag = "latest"
        if let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") {
            repository = String(text[..<colon])
            tag = String(text[text.index(after: colon)...])
        }
        let tagOK =
            !tag.isEmpty && tag.count <= 128
            && tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
            && tag.first != "." && tag.first != "-"
        let repositoryOK =
            !repository.isEmpty && !repository.hasPrefix("/") && !repository.hasSuffix("/")
            && repository.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-/:".contains($0)) }
            && !repository.contains("//")
        guard tagOK, repositoryOK else {
            throw .invalidValue(field: "reference", value: text, reason: "expected lowercase repository[:tag]")
        }
        self.repository = repository
        self.tag = tag
    }

    public var description: String { "\(repository):\(tag)" }
}
