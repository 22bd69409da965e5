/// The node's DNS could not be kept.
public struct NodeDNSError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
