#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one way request bodies for the Kubernetes API are encoded: keys sorted (stable bytes, easy
/// to compare in tests and audit logs) and slashes unescaped (CIDRs and paths stay readable).
///
/// ```swift
/// let body = try KubernetesJSON.encode(["data": ["use-forwarded-headers": "false"]])
/// try await client.patch(path, body: body, type: .merge)
/// ```
public enum KubernetesJSON {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
