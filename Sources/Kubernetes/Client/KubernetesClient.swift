import CharonSupport
import HTTP
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A thin client of the Kubernetes API on the shared libcurl ``HTTP/HTTPClient``: bearer token
/// from the service account (re-read on every request: kubelet rotates it, and a cached token
/// expires), TLS against the cluster CA, JSON in and out.
///
/// ```swift
/// let client = KubernetesClient(configuration: .inCluster(environment: environment)!)
/// let node = try await client.get("/api/v1/nodes/node1")
/// try await client.patch("/api/v1/nodes/node1/status", body: body, type: .strategicMerge)
/// ```
public struct KubernetesClient: Sendable {
    public var configuration: KubernetesConfiguration
    let http: HTTPClient

    public init(configuration: KubernetesConfiguration, timeout: Duration = .seconds(10), logger: Logger = Logger(label: "charon.kubernetes")) {
        self.configuration = configuration
        // Reporting is periodic: a few quick retries, then leave it to the next pass.
        http = HTTPClient(
            configuration: .init(
                connectTimeout: .seconds(5),
                requestTimeout: timeout,
                retryDeadline: timeout * 2,
                maxAttempts: 3,
                caFile: configuration.caFile,
                userAgent: "charon-node/\(CharonVersion.current)"
            ),
            logger: logger
        )
    }

    /// GET a path (`/api/v1/nodes/node1`); returns the body of a 2xx answer.
    public func get(_ path: String) async throws -> [UInt8] {
        try await send(HTTPRequest(.get, configuration.apiServer + path))
    }

    /// PATCH a path with a JSON body of the given flavour; returns the body of a 2xx answer.
    @discardableResult
    public func patch(_ path: String, body: [UInt8], type: PatchType) async throws -> [UInt8] {
        var request = HTTPRequest(.patch, configuration.apiServer + path, body: body)
        request.headers["Content-Type"] = type.rawValue
        // Patches here set absolute values (conditions, config keys): repeating one is harmless.
        request.retryPolicy = .idempotent
        return try await send(request)
    }

    /// POST a new object to its collection (`/apis/traefik.io/v1alpha1/namespaces/x/middlewares`);
    /// returns the body of a 2xx answer. Not retried: a create that timed out may have happened,
    /// and the caller reads again on its next pass (a repeat would be 409 AlreadyExists).
    @discardableResult
    public func create(_ collectionPath: String, body: [UInt8]) async throws -> [UInt8] {
        var request = HTTPRequest(.post, configuration.apiServer + collectionPath, body: body)
        request.headers["Content-Type"] = "application/json"
        return try await send(request)
    }

    func send(_ request: HTTPRequest) async throws -> [UInt8] {
        var request = request
        request.headers["Accept"] = "application/json"
        if let tokenFile = configuration.tokenFile {
            request.headers["Authorization"] = "Bearer \(try Self.readToken(tokenFile))"
        }
        let label = "\(request.method.rawValue) \(request.urlForLogging.dropFirst(configuration.apiServer.count))"
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            throw KubernetesError.transport(error.description)
        }
        guard response.isSuccess else {
            throw KubernetesError.status(request: label, code: response.status, message: Self.statusMessage(response))
        }
        return response.body
    }

    static func readToken(_ path: String) throws -> String {
        do {
            let bytes = try POSIXIO.readFile(path)
            let token = String(String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace })
            guard !token.isEmpty else { throw KubernetesError.token(path: path, reason: "the file is empty") }
            return token
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError.token(path: path, reason: "\(error)")
        }
    }

    /// The `message` of a `Status` object, else the start of the body.
    static func statusMessage(_ response: HTTPResponse) -> String {
        struct Status: Decodable { var message: String? }
        if let status = try? JSONDecoder().decode(Status.self, from: Data(response.body)), let message = status.message {
            return message
        }
        return response.excerpt()
    }
}
