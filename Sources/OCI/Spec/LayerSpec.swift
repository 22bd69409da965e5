/// One layer: a name (for history and messages) and the items it holds.
public struct LayerSpec: Hashable, Sendable {
    public var name: String
    public var contents: [LayerItem]

    public init(name: String, contents: [LayerItem]) {
        self.name = name
        self.contents = contents
    }
}
