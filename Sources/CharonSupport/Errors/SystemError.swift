import Glibc

/// A failed system call, described the way an operator reads it: what was done, to which path, why.
///
/// ```swift
/// guard fd >= 0 else { throw SystemError(operation: "open", path: path) }
/// // error: open /var/lib/x.tar: Permission denied
/// ```
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The action that failed, as a short verb phrase ("create a temporary file in").
    public var operation: String
    /// The file or folder the action was about.
    public var path: String
    /// The `errno` value the call left.
    public var code: Int32

    /// Captures `errno` at the call site, so create this immediately after the failing call.
    public init(operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        "\(operation) \(path): \(SystemError.message(for: code))"
    }

    /// The C library's text for an `errno` value, e.g. "No space left on device".
    public static func message(for code: Int32) -> String {
        String(cString: strerror(code))
    }
}
