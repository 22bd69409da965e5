/// A lifecycle step that failed or could not be verified; `charon-lifecycle` exits 1 with it.
///
/// ```swift
/// throw LifecycleError("node ollama (id 7) is still in Headscale after deletion")
/// ```
public struct LifecycleError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
