/// A `host:port` to listen on, as `--status-address` takes it: `:9102` (every IPv4 address),
/// `127.0.0.1:9102`, `[::]:9102`, `[::1]:9102`, or `localhost:9102`.
///
/// ```swift
/// let address = try StatusAddress(parsing: ":9102")  // host "0.0.0.0", port 9102
/// ```
public struct StatusAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "status address \"\(text)\" is not host:port (e.g. :9102, 127.0.0.1:9102, [::1]:9102)" }
    }

    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ParseError(text: text)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        guard !host.contains(" ") else { throw ParseError(text: text) }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
