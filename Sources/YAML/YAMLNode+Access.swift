extension YAMLNode {
    /// The text of a scalar node, nil for a mapping or a sequence.
    public var scalar: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// The text of a scalar node (YAML and JSON strings, numbers and words alike).
    public var string: String? { scalar }

    /// A mapping's entries, nil for other nodes.
    public var mapping: [Entry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    /// A sequence's elements, nil for other nodes.
    public var sequence: [YAMLNode]? {
        if case .sequence(let elements) = kind { return elements }
        return nil
    }

    /// A scalar spelled as a YAML 1.1 boolean (`true`, `True`, `TRUE`, `yes`, `on` and their
    /// opposites), as Yams read them; nil for anything else.
    public var bool: Bool? {
        switch scalar {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": false
        default: nil
        }
    }

    /// The value of the first entry whose key is the scalar `key`, in a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar == key }?.value
    }
}
