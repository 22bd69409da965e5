/// A node name that cannot become a tailnet hostname.
///
/// ```swift
/// do {
///     _ = try IngressHostname(nodeName: "node_1")
/// } catch {
///     print(error)  // node name "node_1" is not a Kubernetes node name (a DNS subdomain: …); set NODE_NAME or --node …
/// }
/// ```
public struct IngressHostnameError: Error, CustomStringConvertible, Equatable, Sendable {
    public var nodeName: String

    public var description: String {
        let shown = nodeName.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
        return "node name \"\(shown)\" is not a Kubernetes node name (a DNS subdomain: labels of 1-63 letters, digits or "
            + "hyphens joined by dots, at most 253 characters); set NODE_NAME or --node to this node's name"
    }
}
