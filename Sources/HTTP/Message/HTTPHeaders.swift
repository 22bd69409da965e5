/// An ordered list of header fields with case-insensitive lookup.
///
/// Values of credential headers are hidden from ``redactedDescription`` so headers can be logged.
///
/// ```swift
/// var headers = HTTPHeaders()
/// headers["Authorization"] = "Bearer \(token)"
/// logger.debug("sending \(headers.redactedDescription)")  // Authorization: <redacted>
/// ```
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    /// Header names whose values are secrets and must never be logged.
    public static let sensitiveNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-key", "x-auth-email"]

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// The first value of `name`, or nil; assigning replaces every field of that name.
    public subscript(name: String) -> String? {
        get {
            let key = name.lowercased()
            return fields.first { $0.name.lowercased() == key }?.value
        }
        set {
            let key = name.lowercased()
            fields.removeAll { $0.name.lowercased() == key }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// `Name: value` pairs with secrets replaced by `<redacted>`, for logs.
    public var redactedDescription: String {
        fields.map { field in
            Self.sensitiveNames.contains(field.name.lowercased()) ? "\(field.name): <redacted>" : "\(field.name): \(field.value)"
        }.joined(separator: ", ")
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}
