import CharonSupport
import Dispatch
import Glibc
import Synchronization

/// A misbehaving HTTP server on 127.0.0.1 for tests of what a client survives: each connection's
/// request head is read, then the handler writes whatever bytes it likes (an endless body, a lying
/// `Content-Length`, a gzip bomb, a slow drip) on a plain blocking socket.
///
/// ```swift
/// let server = try RawHTTPServer.start { connection in
///     guard connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n") else { return }
///     while connection.write([UInt8](repeating: 0x61, count: 65_536)) {}  // until the client hangs up
/// }
/// defer { server.stop() }
/// ```
public final class RawHTTPServer: Sendable {
    /// One accepted connection; writes report whether the peer still reads.
    public final class Connection: Sendable {
        let descriptor: Int32
        let server: RawHTTPServer
        /// The request line and headers as received.
        public let requestHead: String

        init(descriptor: Int32, server: RawHTTPServer, requestHead: String) {
            self.descriptor = descriptor
            self.server = server
            self.requestHead = requestHead
        }

        /// Writes all of `bytes`; false once the client has gone (reset, closed) or the server stops.
        @discardableResult
        public func write(_ bytes: [UInt8]) -> Bool {
            var offset = 0
            while offset < bytes.count {
                if server.stopped.load(ordering: .relaxed) { return false }
                let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
                server.sent.add(sent, ordering: .relaxed)
            }
            return true
        }

        @discardableResult
        public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

        /// Blocks until the client closes the connection (or the server stops), reading nothing.
        public func waitUntilClosed() {
            var byte: UInt8 = 0
            while !server.stopped.load(ordering: .relaxed) {
                let count = recv(descriptor, &byte, 1, 0)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
            }
        }
    }

    public typealias Handler = @Sendable (Connection) -> Void

    /// The port the kernel gave the listening socket.
    public let port: Int
    private let listener: Int32
    private let handler: Handler
    let stopped = Atomic<Bool>(false)
    let sent = Atomic<Int>(0)

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Body and header bytes written so far, over all connections.
    public var bytesSent: Int { sent.load(ordering: .relaxed) }

    private init(port: Int, listener: Int32, handler: @escaping Handler) {
        self.port = port
        self.listener = listener
        self.handler = handler
    }

    /// Listens on a free loopback port and serves each connection on a thread of its own.
    public static func start(_ handler: @escaping Handler) throws -> RawHTTPServer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError(operation: "open a socket for", path: "127.0.0.1") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 16) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw SystemError(operation: "bind", path: "127.0.0.1:0", code: code)
        }
        let server = RawHTTPServer(port: Int(UInt16(bigEndian: address.sin_port)), listener: descriptor, handler: handler)
        DispatchQueue.global().async { server.acceptLoop() }
        return server
    }

    /// Stops accepting and makes every pending write report the client gone.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            DispatchQueue.global().async { self.serve(client) }
        }
        close(listener)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        // The request head: up to the blank line (these tests send no request bodies).
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: [13, 10, 13, 10]) && head.count < 65_536 {
            guard recv(client, &byte, 1, 0) == 1 else { return }
            head.append(byte)
        }
        handler(Connection(descriptor: client, server: self, requestHead: String(decoding: head, as: UTF8.self)))
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
