/// Numeric ownership of an entry; charon never writes user or group names.
public struct Ownership: Hashable, Sendable {
    public var uid: Int
    public var gid: Int

    public static let root = Ownership(uid: 0, gid: 0)

    public init(uid: Int, gid: Int) {
        self.uid = uid
        self.gid = gid
    }
}
