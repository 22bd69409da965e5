/// One layer: a name (for history and messages) and the items it holds.
///
/// ```swift
/// let layer = LayerSpec(name: "config", contents: [LayerItem(kind: .content("x"), destination: "etc/x")])
/// let plan = try LayerPlanner(baseDirectory: spec.baseDirectory, executableSearchPath: []).plan(layer)
/// ```
public struct LayerSpec: Hashable, Sendable {
    public var name: String
    public var contents: [LayerItem]

    public init(name: String, contents: [LayerItem]) {
        self.name = name
        self.contents = contents
    }
}
