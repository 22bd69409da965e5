import HTTP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Leases (`coordination.k8s.io/v1`): read, create, update with optimistic concurrency.
extension KubernetesClient {
    static func leasePath(namespace: String, name: String? = nil) -> String {
        let base = "/apis/coordination.k8s.io/v1/namespaces/\(pathSegment(namespace))/leases"
        return name.map { "\(base)/\(pathSegment($0))" } ?? base
    }

    /// The Lease, or nil when there is none (404). `cached` reads with `resourceVersion=0`: the API
    /// server answers from its watch cache instead of etcd, possibly a moment stale (a write based
    /// on it then gets a 409, never a wrong outcome): what a thousand followers polling should use.
    ///
    /// ```swift
    /// let lease = try await client.lease(namespace: "charon-system", name: "charon-node-fleet")
    /// ```
    public func lease(namespace: String, name: String, cached: Bool = false) async throws -> Lease? {
        do {
            let body = try await get(Self.leasePath(namespace: namespace, name: name) + (cached ? "?resourceVersion=0" : ""))
            return try Self.decodeLease(body, request: "GET lease \(namespace)/\(name)")
        } catch let error as KubernetesError where error.statusCode == 404 {
            return nil
        }
    }

    /// Creates the Lease; a Lease of that name created first by someone else is a 409
    /// (``KubernetesError/isConflict``).
    public func createLease(_ lease: Lease) async throws -> Lease {
        let path = Self.leasePath(namespace: lease.metadata.namespace ?? "default")
        var request = HTTPRequest(.post, configuration.apiServer + path, body: Array(try JSONEncoder().encode(lease)), retryPolicy: .whenNotProcessed)
        request.headers["Content-Type"] = "application/json"
        return try Self.decodeLease(try await send(request), request: "POST lease")
    }

    /// Replaces the Lease (PUT) if it still has the `resourceVersion` read; a 409 otherwise
    /// (someone wrote it since): read it again before deciding anything.
    public func updateLease(_ lease: Lease) async throws -> Lease {
        let path = Self.leasePath(namespace: lease.metadata.namespace ?? "default", name: lease.metadata.name)
        var request = HTTPRequest(.put, configuration.apiServer + path, body: Array(try JSONEncoder().encode(lease)), retryPolicy: .whenNotProcessed)
        request.headers["Content-Type"] = "application/json"
        return try Self.decodeLease(try await send(request), request: "PUT lease")
    }

    static func decodeLease(_ body: [UInt8], request: String) throws -> Lease {
        do {
            return try JSONDecoder().decode(Lease.self, from: Data(body))
        } catch {
            throw KubernetesError.decoding(request: request, reason: "\(error)")
        }
    }
}

extension KubernetesError {
    /// The HTTP status, when the API answered.
    public var statusCode: Int? {
        if case .status(_, let code, _) = self { return code }
        return nil
    }

    /// 409: the object changed since it was read, or already exists.
    public var isConflict: Bool { statusCode == 409 }
}
