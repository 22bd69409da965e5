import CharonSupport
import Hummingbird
import NIOCore

/// The status server's request context: Hummingbird's basics plus the TCP peer, so `/status` can
/// tell a caller on the node itself from one on the LAN.
///
/// ```swift
/// router.get("/status") { _, context in context.isFromLoopback ? details : refusal }
/// ```
public struct StatusRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer is 127.0.0.0/8, ::1 or an IPv4-mapped loopback address.
    public var isFromLoopback: Bool {
        guard let address = remoteAddress?.ipAddress else { return false }
        return Loopback.isHost(address.lowercased())
    }
}
