import CharonSupport
import Glibc

/// A unix socket that listens (and never answers), for code that checks a socket exists before
/// running a tool against it, like `ContainerdClient` before `ctr`. Closed when released.
///
/// ```swift
/// let socket = try ListeningUnixSocket(path: scratch.path + "/ctd.sock")
/// let containerd = ContainerdClient(address: socket.path, ctr: fakeCtr)
/// ```
public final class ListeningUnixSocket {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 1) == 0 else {
            let error = SystemError(operation: "listen on", path: path)
            if descriptor >= 0 { close(descriptor) }
            throw error
        }
    }

    deinit { close(descriptor) }
}
