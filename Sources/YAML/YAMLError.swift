/// Text that is not one valid YAML document: what is wrong and where (1-based line and column),
/// in libyaml's words for syntax errors.
///
/// ```swift
/// do {
///     _ = try YAMLNode.parse("reference: [unclosed")
/// } catch {
///     print(error)  // line 2, column 1: did not find expected ',' or ']' (while parsing a flow sequence started at line 1, column 12)
/// }
/// ```
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: YAMLMark
    public var problem: String
    /// What the parser was reading, and where that started, when libyaml says.
    public var context: String?
    public var contextMark: YAMLMark?

    public init(mark: YAMLMark, problem: String, context: String? = nil, contextMark: YAMLMark? = nil) {
        self.mark = mark
        self.problem = problem
        self.context = context
        self.contextMark = contextMark
    }

    public var description: String {
        var text = "\(mark): \(problem)"
        if let context {
            text += " (\(context)"
            if let contextMark { text += " started at \(contextMark)" }
            text += ")"
        }
        return text
    }
}
