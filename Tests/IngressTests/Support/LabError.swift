/// A lab set-up step that failed, with the tool's own words.
struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
