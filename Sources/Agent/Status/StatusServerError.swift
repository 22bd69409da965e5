/// The status server could not run (usually: the port is taken).
public struct StatusServerError: Error, CustomStringConvertible {
    public var address: StatusAddress
    public var reason: String
    public var description: String { "status endpoint on \(address): \(reason) (another agent running? set --status-address)" }
}
