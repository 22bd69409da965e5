/// The node's DNS could not be kept.
///
/// ```swift
/// do {
///     try await NodeDNSRecord(keeper: keeper, fqdn: "nginx-ingress-node1.example.com").reconcile(addresses: [])
/// } catch let error as NodeDNSError {
///     print(error)  // no tailnet address to publish for nginx-ingress-node1.example.com
/// }
/// ```
public struct NodeDNSError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
