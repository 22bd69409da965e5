/// A position in YAML text: 1-based line and column, as editors count them.
///
/// ```swift
/// let mark = YAMLMark(line: 3, column: 7)
/// print("spec.yaml, \(mark)")  // spec.yaml, line 3, column 7
/// ```
public struct YAMLMark: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}
