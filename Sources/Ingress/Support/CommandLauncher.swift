import HostCommand

/// A host tool plus the words that run it, e.g. `["nft"]`, or `["ip", "netns", "exec", "lab", "nft"]`
/// to run it inside a network namespace (how the tests drive a private network stack).
///
/// ```swift
/// let nft = CommandLauncher(["nft"])
/// let output = try await nft.check(["-j", "list", "tables"])
/// ```
public struct CommandLauncher: Sendable, Equatable {
    /// Executable first, then fixed leading arguments.
    public var words: [String]

    public init(_ words: [String]) {
        precondition(!words.isEmpty, "a launcher needs an executable")
        self.words = words
    }

    /// The command as an operator would type it, for messages.
    public var displayName: String { words.joined(separator: " ") }

    public func run(_ arguments: [String]) async throws -> HostCommand.Output {
        try await HostCommand(executable: words[0]).run(Array(words.dropFirst()) + arguments)
    }

    /// Streams a long-lived tool's output line by line (see ``HostCommand/stream(_:line:)``).
    public func stream(_ arguments: [String], line: (String) async throws -> Void) async throws -> Int32 {
        try await HostCommand(executable: words[0]).stream(Array(words.dropFirst()) + arguments, line: line)
    }

    /// Runs and throws the tool's last stderr line unless it exits 0.
    @discardableResult
    public func check(_ arguments: [String]) async throws -> String {
        try await HostCommand(executable: words[0]).check(Array(words.dropFirst()) + arguments)
    }
}
