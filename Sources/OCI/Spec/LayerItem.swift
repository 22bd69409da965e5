/// One thing placed into a layer.
///
/// ```swift
/// // Destinations are stored as ImagePath.normalize leaves them: relative, no leading `/`.
/// let binary = LayerItem(kind: .executable(source: "charon-lifecycle"), destination: "usr/local/bin/charon-lifecycle")
/// let agent = LayerItem(
///     kind: .executable(source: "charon-node", staticLibraries: ["libarchive.a", "libyaml.a"]),
///     destination: "usr/local/bin/charon-node"
/// )
/// let config = LayerItem(kind: .content("x"), destination: "etc/x", mode: 0o640, owner: Ownership(uid: 7, gid: 8))
/// ```
public struct LayerItem: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// An ELF executable plus its shared-library closure and loader. `staticLibraries` names
        /// the C archives (`libarchive.a`) it links statically: they leave no file in the image,
        /// so only this declaration lets the SBOM name their Debian packages.
        case executable(source: String, staticLibraries: [String] = [])
        /// One regular file copied from the host.
        case file(source: String)
        /// A host folder copied recursively (symlinks kept as links, hard links kept as links).
        case directory(source: String)
        /// A file whose text is given in the spec.
        case content(String)
        /// An empty folder.
        case makeDirectory
        /// A symbolic link pointing at `target`.
        case symlink(target: String)
        /// The host's CA bundle at the same path in the image.
        case caCertificates(source: String)
    }

    public var kind: Kind
    /// Path inside the image, relative to its root (`usr/local/bin/x`): the spec's absolute path
    /// as `ImagePath.normalize` leaves it.
    public var destination: String
    /// Permission bits; `nil` keeps the source's (or 0644 / 0755 for generated entries).
    public var mode: UInt32?
    /// Owner; root when not given.
    public var owner: Ownership

    public init(kind: Kind, destination: String, mode: UInt32? = nil, owner: Ownership = .root) {
        self.kind = kind
        self.destination = destination
        self.mode = mode
        self.owner = owner
    }
}
