import CharonSupport
import Glibc

/// The declarative input of `charon-node ingress nginx-config`: a list of ``NginxService``.
///
/// ```swift
/// let list = try NginxServiceList.load(from: "/etc/charon-node/services.yaml")
/// let text = NginxConfigRenderer().render(list)
/// ```
public struct NginxServiceList: Sendable, Equatable, Codable {
    public var services: [NginxService]

    public init(services: [NginxService]) {
        self.services = services
    }
}

extension NginxServiceList {
    /// Checks every field before anything is rendered: a value that could break out of its nginx
    /// directive, a host that is not a DNS name, a duplicate host, or a missing certificate is an
    /// error naming the service. Returns the list with hosts lowercased.
    public func validated(checkFiles: Bool = true) throws -> NginxServiceList {
        guard !services.isEmpty else { throw NginxConfigError.invalidService(index: nil, "the list has no services") }
        var seen: Set<String> = []
        var result: [NginxService] = []
        for (index, service) in services.enumerated() {
            let host = service.host.lowercased()
            guard DNSName.isName(host) else {
                throw NginxConfigError.invalidService(
                    index: index,
                    "host \(Self.quoted(service.host)) is not a DNS name (letters, digits, hyphens and dots only)"
                )
            }
            guard seen.insert(host).inserted else {
                throw NginxConfigError.invalidService(index: index, "host \(host) is listed twice")
            }
            guard UpstreamURL.isValid(service.upstream) else {
                throw NginxConfigError.invalidService(
                    index: index,
                    "\(host): upstream \(Self.quoted(service.upstream)) must be http(s)://host[:port][/path] with no spaces, quotes, ; { } $ or #"
                )
            }
            for (label, path) in [("certificate", service.certificate), ("key", service.key)] {
                guard Self.isSafePath(path) else {
                    throw NginxConfigError.invalidService(
                        index: index,
                        "\(host): \(label) path \(Self.quoted(path)) must be absolute with no spaces, quotes, ; { } $ or #"
                    )
                }
                if checkFiles && access(path, R_OK) != 0 {
                    throw NginxConfigError.invalidService(index: index, "\(host): \(label) \(path): \(SystemError.message(for: errno))")
                }
            }
            result.append(NginxService(host: host, upstream: service.upstream, certificate: service.certificate, key: service.key))
        }
        return NginxServiceList(services: result)
    }

    /// A path nginx reads as one token: absolute, printable, none of nginx's syntax characters.
    static func isSafePath(_ path: String) -> Bool {
        path.hasPrefix("/") && path.utf8.count < 4096
            && path.utf8.allSatisfy { byte in
                byte > 0x20 && byte < 0x7f && !Self.nginxSyntax.contains(byte)
            }
    }

    /// Bytes that end, open or quote an nginx token, or start a variable or comment.
    static let nginxSyntax: Set<UInt8> = Set(";{}\"'$#\\`".utf8)

    /// Shows a bad value with its control characters visible.
    static func quoted(_ text: String) -> String {
        "\""
            + text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7f ? String($0) : "\\u{\(String($0.value, radix: 16))}" }
            .joined() + "\""
    }
}
