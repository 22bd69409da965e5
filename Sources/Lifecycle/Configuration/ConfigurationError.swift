/// A setting that is missing or cannot be used; `charon-lifecycle` exits 2 on it.
///
/// ```swift
/// throw ConfigurationError("TS_HOSTNAME is required")
/// ```
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
