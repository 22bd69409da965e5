/// One node of a YAML document as libyaml read it: a scalar, a mapping or a sequence, with the
/// line and column it starts at (for messages). Aliases are resolved to the node they name; tags
/// are not interpreted, so a scalar is its text and callers decide what it means (``bool``).
///
/// ```swift
/// guard let root = try YAMLNode.parse("services:\n  - host: a.example\n") else { return }
/// let services = root["services"]?.sequence ?? []        // [YAMLNode]
/// print(services.first?["host"]?.string ?? "-", root.mark)  // a.example line 1, column 1
/// ```
public struct YAMLNode: Sendable, Equatable, CustomStringConvertible {
    /// What the node holds.
    public indirect enum Kind: Sendable, Equatable {
        /// A scalar's text; `plain` when it was written without quotes or a block indicator.
        case scalar(String, plain: Bool)
        /// A mapping's entries in document order.
        case mapping([Entry])
        /// A sequence's elements in document order.
        case sequence([YAMLNode])
    }

    /// One key and its value in a mapping.
    public struct Entry: Sendable, Equatable {
        public var key: YAMLNode
        public var value: YAMLNode

        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    public var kind: Kind
    /// Where the node starts in the text.
    public var mark: YAMLMark

    public init(_ kind: Kind, mark: YAMLMark = YAMLMark(line: 1, column: 1)) {
        self.kind = kind
        self.mark = mark
    }

    /// A scalar's text; `(a mapping)` or `(a list)` otherwise.
    public var description: String {
        switch kind {
        case .scalar(let text, _): text
        case .mapping: "(a mapping)"
        case .sequence: "(a list)"
        }
    }
}
