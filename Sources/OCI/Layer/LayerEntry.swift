/// One entry of a layer tar, fully decided: path, type, permissions, owner.
///
/// Paths are relative (`etc/ssl/certs/ca-certificates.crt`); entries are written in byte order of
/// their paths so that the same inputs always give the same tar.
///
/// ```swift
/// let motd = LayerEntry(path: "etc/motd", kind: .bytes(Array("hello\n".utf8)), mode: 0o644)
/// motd.dataSize  // 6
/// let blob = try LayerWriter(compression: .none, modificationTime: 0).write([motd], to: sink)
/// ```
public struct LayerEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case directory
        /// A regular file read from the host while writing; `size` is checked again then.
        case hostFile(path: String, size: Int64)
        /// A regular file whose bytes are known up front.
        case bytes([UInt8])
        case symlink(target: String)
        /// A hard link to another entry of the same layer.
        case hardLink(to: String)
    }

    public var path: String
    public var kind: Kind
    public var mode: UInt32
    public var owner: Ownership

    public init(path: String, kind: Kind, mode: UInt32, owner: Ownership = .root) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.owner = owner
    }

    /// Bytes of file data this entry carries.
    public var dataSize: Int64 {
        switch kind {
        case .hostFile(_, let size): size
        case .bytes(let bytes): Int64(bytes.count)
        default: 0
        }
    }
}
