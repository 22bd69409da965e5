import CharonSupport
import Foundation
import Synchronization

/// A stateful fake of Headscale's REST API (`/api/v1`) on loopback, written from the published
/// OpenAPI: users, nodes, node deletion and pre-auth keys, in the wire format of the version
/// chosen, with fault injection and a request log.
///
/// Version switches (docs/lifecycle.md, Headscale 0.23 to 0.29):
/// - 0.23: `?name=` on users is ignored; the pre-auth key's `user` is a name, and the key's
///   `user` answer a bare name; an unknown node or a wrong API key is HTTP 500.
/// - 0.26: the pre-auth key's `user` is a numeric id in a JSON string (a name is a 400); the
///   key's `user` is an object; still 500 for unknown node / wrong key.
/// - 0.28: `tags` replaces `forcedTags`/`validTags`; tag-owned nodes have no user; 404 for an
///   unknown node, 401 for a wrong key.
///
/// ```swift
/// let headscale = try await FakeHeadscale.start(version: .v0_26, apiKey: "hskey-test")
/// let user = headscale.addUser("services")
/// headscale.addNode(name: "ollama", user: "services", ipAddresses: ["100.64.0.5"])
/// // HEADSCALE_URL=\(headscale.url)
/// ```
public final class FakeHeadscale: Sendable {
    public enum Version: String, Sendable, CaseIterable {
        case v0_23 = "0.23"
        case v0_26 = "0.26"
        case v0_28 = "0.28"
    }

    /// A node as the fake stores it.
    public struct Node: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var givenName: String
        /// Owner's user name; nil for a tag-owned node.
        public var user: String?
        public var ipAddresses: [String]
        public var tags: [String]
        public var online: Bool
    }

    /// A pre-auth key the fake issued.
    public struct IssuedKey: Sendable, Equatable {
        public var id: Int
        public var key: String
        public var user: String
        public var reusable: Bool
        public var ephemeral: Bool
        public var expiration: String
        public var aclTags: [String]
    }

    struct State {
        var users: [(id: Int, name: String)] = []
        var nodes: [Node] = []
        var keys: [IssuedKey] = []
        /// Each node's JSON, kept so a listing of 10,000 nodes costs a join, not a serialization.
        var nodeJSON: [Int: [UInt8]] = [:]
        var nextUserID = 1
        var nextNodeID = 1
        var nextKeyID = 1
    }

    public let version: Version
    public let apiKey: String
    public let faults: FakeFaults
    let state: Mutex<State>
    let server: LoopbackServer

    /// `http://127.0.0.1:<port>`: the value for `HEADSCALE_URL`.
    public var url: String { server.baseURL }
    public var port: Int { server.port }
    /// Every request received, oldest first.
    public var requests: [FakeRequest] { server.requests }
    public func clearLog() { server.clearLog() }

    private init(version: Version, apiKey: String, faults: FakeFaults, server: LoopbackServer) {
        self.version = version
        self.apiKey = apiKey
        self.faults = faults
        self.state = Mutex(State())
        self.server = server
    }

    /// Starts the fake on a free port of 127.0.0.1 (or `port`).
    public static func start(version: Version = .v0_28, apiKey: String = "hskey-api-FAKE0123456789", port: Int = 0) async throws -> FakeHeadscale {
        let faults = FakeFaults()
        let box = LateBound<FakeHeadscale>()
        let server = try await LoopbackServer.start(port: port) { request in
            guard let fake = box.value else { return .text(503, "starting") }
            return fake.handle(request)
        }
        let fake = FakeHeadscale(version: version, apiKey: apiKey, faults: faults, server: server)
        box.set(fake)
        return fake
    }

    public func stop() async { await server.stop() }

    // MARK: State

    @discardableResult
    public func addUser(_ name: String) -> Int {
        state.withLock { state in
            if let existing = state.users.first(where: { $0.name == name }) { return existing.id }
            let id = state.nextUserID
            state.nextUserID += 1
            state.users.append((id, name))
            return id
        }
    }

    /// Adds a node; `givenName` defaults to `name` (Headscale suffixes it on clashes).
    @discardableResult
    public func addNode(
        name: String,
        user: String?,
        givenName: String? = nil,
        ipAddresses: [String] = [],
        tags: [String] = [],
        online: Bool = true
    ) -> Int {
        if let user { addUser(user) }
        return state.withLock { state in
            let id = state.nextNodeID
            state.nextNodeID += 1
            let v4 = "100.64.\(id / 250).\(id % 250 + 1)"
            let addresses = ipAddresses.isEmpty ? [v4, "fd7a:115c:a1e0::\(String(id, radix: 16))"] : ipAddresses
            state.nodes.append(Node(id: id, name: name, givenName: givenName ?? name, user: user, ipAddresses: addresses, tags: tags, online: online))
            return id
        }
    }

    public func setAddresses(nodeID: Int, _ addresses: [String]) {
        state.withLock { state in
            if let index = state.nodes.firstIndex(where: { $0.id == nodeID }) { state.nodes[index].ipAddresses = addresses }
            state.nodeJSON[nodeID] = nil
        }
    }

    public func removeNode(id: Int) {
        state.withLock { $0.nodes.removeAll { $0.id == id } }
    }

    public var nodes: [Node] { state.withLock { $0.nodes } }
    public var issuedKeys: [IssuedKey] { state.withLock { $0.keys } }

    // MARK: Wire

    func handle(_ request: FakeRequest) -> FakeResponse {
        faults.answer(request, errorBody: errorResponse(status:)) {
            guard request.headers["authorization"] == "Bearer \(apiKey)" else {
                // Up to 0.26 a refused key came back as a 500; from 0.27 as 401.
                return version == .v0_28 ? .text(401, "Unauthorized") : grpcError(500, code: 16, "Unauthorized")
            }
            return route(request)
        }
    }

    private func route(_ request: FakeRequest) -> FakeResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return .text(404, "Not Found") }
        switch (request.method, Array(parts.dropFirst(2))) {
        case ("GET", ["user"]): return listUsers(request)
        case ("GET", ["node"]): return listNodes(request)
        case ("GET", let rest) where rest.count == 2 && rest[0] == "node": return getNode(rest[1])
        case ("DELETE", let rest) where rest.count == 2 && rest[0] == "node": return deleteNode(rest[1])
        case ("POST", ["preauthkey"]): return createKey(request)
        default: return .text(404, "Not Found")
        }
    }

    private func listUsers(_ request: FakeRequest) -> FakeResponse {
        let users = state.withLock { $0.users }
        let filter = version == .v0_23 ? nil : request.query["name"].flatMap { $0.isEmpty ? nil : $0 }
        let chosen = users.filter { filter == nil || $0.name == filter }
        return json(["users": chosen.map { userJSON(id: $0.id, name: $0.name) }])
    }

    private func listNodes(_ request: FakeRequest) -> FakeResponse {
        let user = request.query["user"].flatMap { $0.isEmpty ? nil : $0 }
        let users = Dictionary(state.withLock { $0.users }.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        let body = state.withLock { state -> [UInt8] in
            var body = Array(#"{"nodes":["#.utf8)
            var first = true
            for node in state.nodes where user == nil || node.user == user {
                let encoded: [UInt8]
                if let cached = state.nodeJSON[node.id] {
                    encoded = cached
                } else {
                    let object = nodeJSON(node, userID: node.user.flatMap { users[$0] })
                    encoded = Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8))
                    state.nodeJSON[node.id] = encoded
                }
                if !first { body.append(UInt8(ascii: ",")) }
                body += encoded
                first = false
            }
            body += Array("]}".utf8)
            return body
        }
        return FakeResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    private func getNode(_ id: String) -> FakeResponse {
        let users = Dictionary(state.withLock { $0.users }.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        guard let number = Int(id), let node = state.withLock({ $0.nodes.first { $0.id == number } }) else {
            return version == .v0_28 ? grpcError(404, code: 5, "node not found") : grpcError(500, code: 2, "record not found")
        }
        return json(["node": nodeJSON(node, userID: node.user.flatMap { users[$0] })])
    }

    private func deleteNode(_ id: String) -> FakeResponse {
        let removed = state.withLock { state -> Bool in
            guard let number = Int(id), let index = state.nodes.firstIndex(where: { $0.id == number }) else { return false }
            state.nodes.remove(at: index)
            return true
        }
        guard removed else { return version == .v0_28 ? grpcError(404, code: 5, "node not found") : grpcError(500, code: 2, "record not found") }
        return json([:])
    }

    private func createKey(_ request: FakeRequest) -> FakeResponse {
        guard request.headers["content-type"]?.hasPrefix("application/json") == true else {
            return grpcError(400, code: 3, "expected application/json")
        }
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return grpcError(400, code: 3, "invalid JSON body")
        }
        let userField = body["user"] as? String ?? ""
        let users = state.withLock { $0.users }
        let owner: (id: Int, name: String)?
        switch version {
        case .v0_23:
            owner = users.first { $0.name == userField }
            if owner == nil { return grpcError(500, code: 2, "user not found") }
        case .v0_26, .v0_28:
            guard let id = UInt64(userField) else {
                return grpcError(400, code: 3, "proto: (line 1:9): invalid value for uint64 field user: \"\(userField)\"")
            }
            owner = users.first { UInt64($0.id) == id }
            if owner == nil { return version == .v0_28 ? grpcError(404, code: 5, "user not found") : grpcError(500, code: 2, "user not found") }
        }
        guard let expiration = body["expiration"] as? String, Self.isRFC3339UTC(expiration) else {
            return grpcError(400, code: 3, "invalid expiration")
        }
        let tags = body["aclTags"] as? [String] ?? []
        for tag in tags where !tag.hasPrefix("tag:") {
            return grpcError(400, code: 3, "invalid tag \(tag)")
        }
        let key = state.withLock { state -> IssuedKey in
            let id = state.nextKeyID
            state.nextKeyID += 1
            let secret = (0..<48).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
            let key = IssuedKey(
                id: id,
                key: secret,
                user: owner!.name,
                reusable: body["reusable"] as? Bool ?? false,
                ephemeral: body["ephemeral"] as? Bool ?? false,
                expiration: expiration,
                aclTags: tags
            )
            state.keys.append(key)
            return key
        }
        let userValue: Any = version == .v0_23 ? owner!.name : userJSON(id: owner!.id, name: owner!.name)
        return json([
            "preAuthKey": [
                "user": userValue, "id": String(key.id), "key": key.key, "reusable": key.reusable, "ephemeral": key.ephemeral,
                "used": false, "expiration": key.expiration, "createdAt": "2026-11-25T12:00:00Z", "aclTags": key.aclTags,
            ] as [String: Any]
        ])
    }

    private func userJSON(id: Int, name: String) -> [String: Any] {
        ["id": String(id), "name": name, "createdAt": "2026-01-01T00:00:00Z", "displayName": "", "email": "", "providerId": "", "provider": ""]
    }

    private func nodeJSON(_ node: Node, userID: Int?) -> [String: Any] {
        var object: [String: Any] = [
            "id": String(node.id), "machineKey": "mkey:\(node.id)", "nodeKey": "nodekey:\(node.id)", "discoKey": "discokey:\(node.id)",
            "ipAddresses": node.ipAddresses, "name": node.name, "givenName": node.givenName, "online": node.online,
            "lastSeen": "2026-11-25T12:00:00Z", "expiry": "0001-01-01T00:00:00Z", "createdAt": "2026-11-25T11:00:00Z",
            "registerMethod": "REGISTER_METHOD_AUTH_KEY",
        ]
        if let user = node.user {
            object["user"] = userJSON(id: userID ?? 0, name: user)
        }
        if version == .v0_28 {
            object["tags"] = node.tags
        } else {
            object["forcedTags"] = node.tags
            object["validTags"] = [String]()
            object["invalidTags"] = [String]()
        }
        return object
    }

    private func errorResponse(status: Int) -> FakeResponse {
        grpcError(status, code: status == 429 ? 8 : 14, status == 429 ? "rate limited" : "service unavailable")
    }

    /// grpc-gateway's error body.
    private func grpcError(_ status: Int, code: Int, _ message: String) -> FakeResponse {
        json(["code": code, "message": message, "details": [Any]()], status: status)
    }

    private func json(_ object: [String: Any], status: Int = 200) -> FakeResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return FakeResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    static func isRFC3339UTC(_ text: String) -> Bool {
        // 2026-11-25T13:00:00Z (fractional seconds allowed).
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, text.hasSuffix("Z") else { return false }
        let digits: [Int] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        return digits.allSatisfy { (48...57).contains(bytes[$0]) } && bytes[4] == 45 && bytes[7] == 45 && bytes[10] == 84
            && bytes[13] == 58 && bytes[16] == 58
    }
}

/// Lets a request handler, made before the fake it serves, reach that fake.
final class LateBound<Value: AnyObject & Sendable>: Sendable {
    private let lock = Mutex<Value?>(nil)
    var value: Value? { lock.withLock { $0 } }
    func set(_ value: Value) { lock.withLock { $0 = value } }
}
