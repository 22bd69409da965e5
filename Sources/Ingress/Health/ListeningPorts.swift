import CharonSupport

/// Which TCP ports have a listening socket, read from `/proc/net/tcp` and `tcp6` (no process, no
/// privileges). `procRoot` may be `/proc/<pid>` to look into that process's network namespace.
///
/// ```swift
/// ListeningPorts().listening()  // [22, 80, 443, 9102]
/// ```
public struct ListeningPorts: Sendable {
    public var procRoot: String

    public init(procRoot: String = "/proc/self") {
        self.procRoot = procRoot
    }

    public func listening() -> Set<UInt16> {
        var ports = Set<UInt16>()
        for file in ["net/tcp", "net/tcp6"] {
            guard let bytes = try? POSIXIO.readFile("\(procRoot)/\(file)") else { continue }
            ports.formUnion(Self.parse(String(decoding: bytes, as: UTF8.self)))
        }
        return ports
    }

    /// Lines like `0: 00000000:0050 00000000:0000 0A …`: local address:port in hex, state 0A = LISTEN.
    static func parse(_ table: String) -> Set<UInt16> {
        var ports = Set<UInt16>()
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16)
            else { continue }
            ports.insert(port)
        }
        return ports
    }
}

extension ListeningPorts {
    /// The parser alone, for tests with a captured table.
    public static func parseForTesting(_ table: String) -> Set<UInt16> { parse(table) }
}
