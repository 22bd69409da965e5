#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one JSON encoding charon uses for image metadata: sorted keys and unescaped slashes, so
/// that the same value always gives the same bytes (and so the same digest).
///
/// ```swift
/// let bytes = try CanonicalJSON.encode(manifest)  // the same manifest always gives these bytes
/// let digest = Digest.sha256(of: bytes)
/// let again = try CanonicalJSON.decode(ImageManifest.self, from: bytes)
/// ```
public enum CanonicalJSON {
    public static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
