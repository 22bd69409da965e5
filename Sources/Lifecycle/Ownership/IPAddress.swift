import CharonSupport

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as bytes, so `fd7a:115c:a1e0::1` and `fd7a:115c:a1e0:0:0:0:0:1` compare
/// equal and ranges are checked on bits, not text.
///
/// ```swift
/// IPAddress("100.101.102.103")!.isTailnet  // true
/// IPAddress("fd7a:115c:a1e0::1") == IPAddress("fd7a:115c:a1e0:0::1")  // true
/// ```
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public init?(_ text: String) {
        let text = text.trimmingWhitespace()
        if !text.contains(":") {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        } else {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// Whether the first `bits` bits equal those of `prefix`.
    public func isIn(_ prefix: IPAddress, bits: Int) -> Bool {
        guard prefix.bytes.count == bytes.count else { return false }
        var remaining = bits
        for index in bytes.indices where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if bytes[index] & mask != prefix.bytes[index] & mask { return false }
            remaining -= take
        }
        return true
    }

    /// In Tailscale's address ranges: 100.64.0.0/10 (CGNAT) or fd7a:115c:a1e0::/48.
    public var isTailnet: Bool {
        isIn(Self.tailnetIPv4, bits: 10) || isIn(Self.tailnetIPv6, bits: 48)
    }

    static let tailnetIPv4 = IPAddress("100.64.0.0")!
    static let tailnetIPv6 = IPAddress("fd7a:115c:a1e0::")!

    /// Canonical text (`inet_ntop`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = isIPv4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(cString: buffer)
    }
}
