import Crypto

/// Incremental SHA-256 over streamed bytes (BoringSSL's SHA instructions via swift-crypto).
///
/// ```swift
/// var hasher = DigestHasher()
/// chunk.withUnsafeBytes { hasher.update($0) }
/// let digest = hasher.finalize()
/// ```
public struct DigestHasher: Sendable {
    private var hash = SHA256()
    /// Number of bytes hashed so far.
    public private(set) var count: Int64 = 0

    public init() {}

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
        count += Int64(bytes.count)
    }

    /// The digest of everything fed so far.
    public func finalize() -> Digest {
        let bytes = hash.finalize()
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in bytes {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return Digest(sha256Hex: String(decoding: hex, as: UTF8.self))
    }
}
