/// Why an image spec could not be used; each case names the field and the problem.
///
/// ```swift
/// do {
///     _ = try ImageSpec.load(from: "images/tailscale-lifecycle")
/// } catch {
///     print(error)  // image spec: reference is required
///     // charon-node exits with status 2 for these (bad input), 1 for other failures.
/// }
/// ```
public enum ImageSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case missingField(String)
    case unknownField(String)
    case invalidValue(field: String, value: String, reason: String)
    case escapesRoot(field: String, path: String)
    case sourceMissing(field: String, path: String)
    case conflictingEntries(path: String)
    case notAnExecutable(path: String, reason: String)
    case libraryNotFound(library: String, neededBy: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read image spec \(path): \(reason)"
        case .malformed(let path, let reason): "image spec \(path) is not valid YAML: \(reason)"
        case .missingField(let field): "image spec: \(field) is required"
        case .unknownField(let field): "image spec: unknown field \(field)"
        case .invalidValue(let field, let value, let reason): "image spec: \(field) \"\(value)\" is invalid: \(reason)"
        case .escapesRoot(let field, let path): "image spec: \(field) \"\(path)\" escapes the image root"
        case .sourceMissing(let field, let path): "image spec: \(field) names \(path), which does not exist"
        case .conflictingEntries(let path): "image spec: two different entries for /\(path) in one layer"
        case .notAnExecutable(let path, let reason): "\(path) is not a dynamic ELF executable charon can package: \(reason)"
        case .libraryNotFound(let library, let neededBy):
            "shared library \(library) (needed by \(neededBy)) was not found where the dynamic loader looks"
        }
    }
}
