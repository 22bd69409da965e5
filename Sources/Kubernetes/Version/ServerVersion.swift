#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The API server's `/version` (`major`, `minor`, `gitVersion`). Distributions decorate the minor
/// (`"29+"` on EKS and GKE): only its leading digits count.
///
/// ```swift
/// let version = try await ServerVersion.fetch(from: client)
/// version.isAtLeast(major: 1, minor: 30)   // ValidatingAdmissionPolicy is GA
/// ```
public struct ServerVersion: Decodable, Sendable, Equatable {
    public var major: String
    public var minor: String
    public var gitVersion: String

    public init(major: String, minor: String, gitVersion: String) {
        self.major = major
        self.minor = minor
        self.gitVersion = gitVersion
    }

    public static func fetch(from client: KubernetesClient) async throws -> ServerVersion {
        let body = try await client.get("/version")
        do {
            return try JSONDecoder().decode(ServerVersion.self, from: Data(body))
        } catch {
            throw KubernetesError.decoding(request: "GET /version", reason: "\(error)")
        }
    }

    /// Nil when a field has no leading number.
    public var numbers: (major: Int, minor: Int)? {
        func leading(_ text: String) -> Int? { Int(text.prefix { $0.isASCII && $0.isNumber }) }
        guard let major = leading(major), let minor = leading(minor) else { return nil }
        return (major, minor)
    }

    public func isAtLeast(major wantedMajor: Int, minor wantedMinor: Int) -> Bool {
        guard let (major, minor) = numbers else { return false }
        return major > wantedMajor || (major == wantedMajor && minor >= wantedMinor)
    }
}
