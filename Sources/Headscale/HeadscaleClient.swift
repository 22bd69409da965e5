import HTTP
import Logging
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A thin client for Headscale's REST API (`/api/v1`, `Authorization: Bearer <API key>`), for
/// Headscale 0.23 to 0.29: users, nodes, node deletion and pre-auth keys.
///
/// ```swift
/// let headscale = HeadscaleClient(baseURL: "http://headscale.core.svc.cluster.local:8080", apiKey: key)
/// let user = try await headscale.user(named: "services")
/// for node in try await headscale.nodes(user: user.name) where node.name == "ollama" {
///     try await headscale.deleteNode(id: node.id)
/// }
/// ```
public final class HeadscaleClient: Sendable {
    public let baseURL: String
    private let apiKey: String
    let http: HTTPClient
    let logger: Logger
    /// Which form of the pre-auth key's `user` this server took last time (name or id).
    let acceptedUserForm = Mutex<PreAuthKeyUserForm?>(nil)

    public init(baseURL: String, apiKey: String, http: HTTPClient = HTTPClient(), logger: Logger = Logger(label: "charon.headscale")) {
        self.baseURL = String(baseURL.reversed().drop { $0 == "/" }.reversed())
        self.apiKey = apiKey
        self.http = http
        self.logger = logger
    }

    // MARK: Users

    /// Users named exactly `name`. Sends `?name=` but filters the answer itself: 0.23 ignores it.
    public func users(named name: String) async throws -> [HeadscaleUser] {
        struct ListUsers: Decodable { var users: [HeadscaleUser]? }
        let answer: ListUsers = try await get("/api/v1/user", query: [("name", name)])
        return (answer.users ?? []).filter { $0.name == name }
    }

    /// The one user named `name`; throws ``HeadscaleError/userNotFound(_:)`` if there is none.
    public func user(named name: String) async throws -> HeadscaleUser {
        guard let user = try await users(named: name).first else { throw HeadscaleError.userNotFound(name) }
        return user
    }

    // MARK: Nodes

    /// Every node, or those of user `user` (by name), that `predicate` keeps. A node owned by
    /// tags (0.28+) belongs to no user: list without `user` to see it.
    ///
    /// The list is read from the bytes one node at a time (see `NodeListReader`): filtering here
    /// keeps memory flat when Headscale holds thousands of nodes.
    public func nodes(user: String? = nil, where predicate: (HeadscaleNode) -> Bool = { _ in true }) async throws -> [HeadscaleNode] {
        let path = "/api/v1/node"
        let url = baseURL + path + PercentEncoding.query(user.map { [("user", $0)] } ?? [])
        // The one answer that grows with the tailnet: four times the client's cap (16 MiB by
        // default, some 10,000 nodes).
        let request = HTTPRequest(
            .get,
            url,
            retryPolicy: retryPolicy(.idempotent),
            maxResponseBytes: http.configuration.maxResponseBytes.multipliedReportingOverflow(by: 4).partialValue
        )
        let body = try await call(request, label: "GET \(path)")
        do {
            return try NodeListReader.nodes(in: body, where: predicate)
        } catch let error as NodeListReader.Malformed {
            throw HeadscaleError.malformedResponse(request: "GET \(path)", detail: error.description)
        }
    }

    /// One node by id (`GET /api/v1/node/{id}`), or nil when Headscale has no such node (404
    /// from 0.27, a "not found" 500 before). Costs one node's bytes however large the tailnet.
    public func node(id: String) async throws -> HeadscaleNode? {
        struct GetNode: Decodable { var node: HeadscaleNode? }
        do {
            let answer: GetNode = try await get("/api/v1/node/\(PercentEncoding.escape(id))")
            return answer.node
        } catch HeadscaleError.notFound {
            return nil
        }
    }

    /// Deletes a node. A node already gone counts as deleted (404 from 0.27, a "not found" 500
    /// before); anything else unverified throws.
    public func deleteNode(id: String) async throws {
        let path = "/api/v1/node/\(PercentEncoding.escape(id))"
        do {
            _ = try await call(HTTPRequest(.delete, baseURL + path, retryPolicy: retryPolicy(.idempotent)), label: "DELETE \(path)")
        } catch HeadscaleError.notFound {
            logger.debug("node \(id) was already gone")
        }
    }

    // MARK: Plumbing

    func get<T: Decodable>(_ path: String, query: [(String, String)] = []) async throws -> T {
        let url = baseURL + path + PercentEncoding.query(query)
        let body = try await call(HTTPRequest(.get, url, retryPolicy: retryPolicy(.idempotent)), label: "GET \(path)")
        return try decode(T.self, from: body, label: "GET \(path)")
    }

    func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], label: String) throws -> T {
        do {
            // Decode in place: a copy into Data would double a 5 MB node list.
            return try body.withUnsafeBytes { bytes in
                try JSONDecoder().decode(
                    T.self,
                    from: Data(
                        bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                        count: bytes.count,
                        deallocator: .none
                    )
                )
            }
        } catch {
            throw HeadscaleError.malformedResponse(request: label, detail: Self.describe(error))
        }
    }

    /// Sends with the API key; returns the body of a 2xx answer, throws a named error otherwise.
    func call(_ request: HTTPRequest, label: String) async throws -> [UInt8] {
        var request = request
        request.headers["Authorization"] = "Bearer \(apiKey)"
        request.headers["Accept"] = "application/json"
        if request.body != nil { request.headers["Content-Type"] = "application/json" }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            throw HeadscaleError.transport(error)
        }
        guard response.isSuccess else { throw Self.error(for: response, label: label) }
        return response.body
    }

    /// A retry policy that gives up at once on answers that retrying cannot fix (refused key,
    /// unknown node) even where old Headscale reports them as HTTP 500.
    func retryPolicy(_ base: RetryPolicy) -> RetryPolicy {
        var policy = base
        policy.isPermanent = { response in
            let message = Self.message(of: response).lowercased()
            return Self.namesRefusedKey(message) || Self.namesMissingObject(message)
        }
        return policy
    }

    /// Maps a non-2xx answer to an error, reading grpc-gateway's `{"code","message"}` body.
    static func error(for response: HTTPResponse, label: String) -> HeadscaleError {
        let message = message(of: response)
        let lower = message.lowercased()
        switch response.status {
        case 401, 403:
            return .unauthorized(request: label, status: response.status, message: message)
        case 404:
            return .notFound(request: label, status: response.status, message: message)
        case 500 where namesRefusedKey(lower):
            return .unauthorized(request: label, status: response.status, message: message)
        case 500 where namesMissingObject(lower):
            return .notFound(request: label, status: response.status, message: message)
        default:
            return .status(request: label, status: response.status, message: message)
        }
    }

    static func namesRefusedKey(_ lower: String) -> Bool {
        lower.contains("unauthorized") || lower.contains("unauthenticated") || lower.contains("api key")
            || lower.contains("apikey") || lower.contains("invalid token") || lower.contains("permission denied")
    }

    static func namesMissingObject(_ lower: String) -> Bool {
        lower.contains("not found") || lower.contains("no rows")
    }

    /// The `message` of a grpc-gateway error body, or the body's first line.
    static func message(of response: HTTPResponse) -> String {
        struct Status: Decodable {
            var message: String?
            var error: String?
        }
        if let status = try? JSONDecoder().decode(Status.self, from: Data(response.body)), let text = status.message ?? status.error {
            return text
        }
        let excerpt = response.excerpt()
        return excerpt.isEmpty ? "(empty body)" : excerpt
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): "malformed JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, _): "field \(key.stringValue) missing"
        case DecodingError.typeMismatch(_, let context): "unexpected type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let context): "null at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}
