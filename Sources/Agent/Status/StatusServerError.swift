/// The status server could not run (usually: the port is taken).
///
/// ```swift
/// do {
///     try await server.service().run()
/// } catch let error as StatusServerError {
///     print(error)  // status endpoint on 127.0.0.1:9102: <the bind error> (another agent running? set --status-address)
/// }
/// ```
public struct StatusServerError: Error, CustomStringConvertible {
    public var address: StatusAddress
    public var reason: String
    public var description: String { "status endpoint on \(address): \(reason) (another agent running? set --status-address)" }
}
