/// Numeric ownership of an entry; charon never writes user or group names.
///
/// ```swift
/// let nonroot = Ownership(uid: 65532, gid: 65532)  // `owner: "65532:65532"` in image.yaml
/// let item = LayerItem(kind: .makeDirectory, destination: "var/lib/app", owner: nonroot)
/// ```
public struct Ownership: Hashable, Sendable {
    public var uid: Int
    public var gid: Int

    public static let root = Ownership(uid: 0, gid: 0)

    public init(uid: Int, gid: Int) {
        self.uid = uid
        self.gid = gid
    }
}
