/// A state path `charon-node uninstall` refuses or could not remove, with the reason.
///
/// ```swift
/// // state path "var/lib/charon-node" is not absolute
/// ```
public struct StateRemovalError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "state path \"\(path)\" \(reason)" }
}
