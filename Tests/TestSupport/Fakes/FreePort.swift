import CharonSupport
import Glibc

/// A loopback TCP port nothing listens on: a socket bound to it but never listening, held until
/// released, so connecting is refused and no other test's server can take the port meanwhile.
///
/// ```swift
/// let reserved = try FreePort()
/// // http://127.0.0.1:\(reserved.port) refuses connections
/// reserved.release()  // before starting a server on it
/// ```
public final class FreePort: @unchecked Sendable {
    public let port: Int
    private var descriptor: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError(operation: "open a socket for", path: "127.0.0.1") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            let code = errno
            close(fd)
            throw SystemError(operation: "reserve a loopback port", path: "127.0.0.1:0", code: code)
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Frees the port for a server to bind.
    public func release() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { release() }
}
