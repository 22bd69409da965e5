/// A content digest in OCI form, `sha256:<64 lowercase hex digits>`.
///
/// ```swift
/// let digest = Digest.sha256(of: Array("{}".utf8))
/// print(digest)          // sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
/// print(digest.encoded)  // 44136fa3…
/// ```
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The hex part, without the `sha256:` prefix.
    public let encoded: String

    /// Wraps an already computed hex digest.
    public init(sha256Hex: String) {
        self.encoded = sha256Hex
    }

    /// Parses `sha256:<hex>`; `nil` for any other algorithm or a malformed value.
    public init?(parsing text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = text.dropFirst("sha256:".count)
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.encoded = String(hex)
    }

    public var description: String { "sha256:\(encoded)" }

    /// The digest of a byte buffer held in memory.
    public static func sha256(of bytes: [UInt8]) -> Digest {
        var hasher = DigestHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest: \(text)"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.encoded < rhs.encoded }
}
