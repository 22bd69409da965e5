extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, newlines):
    /// `" tag:web \n".trimmingWhitespace()` is `"tag:web"`.
    public func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}
