import Foundation
import Synchronization

/// A fake Kubernetes API server holding one Node, strict where the real one is: a PATCH of
/// `/api/v1/nodes/<name>/status` must carry `Content-Type: application/strategic-merge-patch+json`
/// (415 otherwise, as the API server answers an unknown patch type) and the current bearer token
/// (401 otherwise; a nil token: none asked for, as behind `kubectl proxy`). The patch's conditions are merged by `type` into the Node's, which start with
/// kubelet's `Ready`, so a test can see that nothing of kubelet's was lost. Leases are served by
/// ``leases`` (``FakeLeaseStore``).
///
/// ```swift
/// let api = try await FakeKubernetesAPI.start(node: "node1", token: "t0ken")
/// // … run the reporter against api.baseURL …
/// #expect(api.conditions.map(\.type).contains("Ready"))
/// ```
public final class FakeKubernetesAPI: Sendable {
    /// One Node condition as stored (all fields are strings on the wire).
    public struct Condition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
        public var lastHeartbeatTime: String?
        public var lastTransitionTime: String?
    }

    struct State {
        /// nil: no credentials asked for (a `kubectl proxy`).
        var token: String?
        var conditions: [Condition]
        var patchBodies: [[UInt8]]
        var rejected: [String]
        /// Status PATCHes whose body contains this text are answered 503.
        var failingMarker: String?
        /// What `GET /version` answers.
        var version = (major: "1", minor: "31", gitVersion: "v1.31.2")
    }

    public let server: LoopbackServer
    public let node: String
    /// The Lease API (`coordination.k8s.io/v1`), with resourceVersion conflicts.
    public let leases = FakeLeaseStore()
    private let state: Mutex<State>

    private init(server: LoopbackServer, node: String, state: State) {
        self.server = server
        self.node = node
        self.state = Mutex(state)
    }

    public var baseURL: String { server.baseURL }

    /// The Node's conditions now, kubelet's included.
    public var conditions: [Condition] { state.withLock { $0.conditions } }
    /// Bodies of the accepted status PATCHes, oldest first.
    public var patchBodies: [[UInt8]] { state.withLock { $0.patchBodies } }
    /// Why requests were refused ("415 text/plain", "401 bad token", …).
    public var rejected: [String] { state.withLock { $0.rejected } }

    /// Rotates the token the fake accepts (kubelet rotates projected tokens).
    public func setToken(_ token: String?) { state.withLock { $0.token = token } }
    /// Sets a condition as an earlier PATCH would have (replacing one of the same type).
    public func setCondition(type: String, status: String, reason: String) {
        let condition = Condition(
            type: type,
            status: status,
            reason: reason,
            message: reason,
            lastHeartbeatTime: "2026-01-01T00:00:00Z",
            lastTransitionTime: "2026-01-01T00:00:00Z"
        )
        state.withLock { state in
            if let index = state.conditions.firstIndex(where: { $0.type == type }) {
                state.conditions[index] = condition
            } else {
                state.conditions.append(condition)
            }
        }
    }

    /// What `GET /version` answers from now on (`minor` as distributions write it: `"29+"`).
    public func setVersion(major: String, minor: String, gitVersion: String) {
        state.withLock { $0.version = (major, minor, gitVersion) }
    }

    /// Answers every status PATCH whose body contains `marker` with 503 (nil: none). Chosen by
    /// content rather than by count so that a retry the client gave up on, arriving late on a
    /// loaded machine, is still refused instead of landing after the test moved on.
    public func failPatches(containing marker: String?) { state.withLock { $0.failingMarker = marker } }

    public static func start(node: String, token: String?) async throws -> FakeKubernetesAPI {
        let kubelet = Condition(
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            message: "kubelet is posting ready status",
            lastHeartbeatTime: "2026-01-01T00:00:00Z",
            lastTransitionTime: "2026-01-01T00:00:00Z"
        )
        let state = State(token: token, conditions: [kubelet], patchBodies: [], rejected: [], failingMarker: nil)
        let box = Box()
        let server = try await LoopbackServer.start { request in
            guard let api = box.api else { return .text(503, "starting") }
            return api.handle(request)
        }
        let api = FakeKubernetesAPI(server: server, node: node, state: state)
        box.api = api
        return api
    }

    public func stop() async { await server.stop() }

    func handle(_ request: FakeRequest) -> FakeResponse {
        let statusPath = "/api/v1/nodes/\(node)/status"
        return state.withLock { state in
            guard state.token == nil || request.headers["authorization"] == "Bearer \(state.token ?? "")" else {
                state.rejected.append("401 bad token")
                return .json(401, #"{"kind":"Status","status":"Failure","message":"Unauthorized","code":401}"#)
            }
            if request.path.hasPrefix(FakeLeaseStore.prefix) { return leases.handle(request) }
            switch (request.method, request.path) {
            case ("GET", "/version"):
                let version = state.version
                return .json(
                    200,
                    #"{"major":"\#(version.major)","minor":"\#(version.minor)","gitVersion":"\#(version.gitVersion)","platform":"linux/amd64"}"#
                )
            case ("GET", "/api/v1/nodes/\(node)"), ("GET", statusPath):
                return .json(200, nodeJSON(state.conditions))
            case ("PATCH", statusPath):
                let contentType = request.headers["content-type"] ?? ""
                guard contentType == "application/strategic-merge-patch+json" else {
                    state.rejected.append("415 \(contentType)")
                    return .json(
                        415,
                        #"{"kind":"Status","status":"Failure","message":"the body of the request was in an unknown format","code":415}"#
                    )
                }
                if let marker = state.failingMarker, String(decoding: request.body, as: UTF8.self).contains(marker) {
                    return .json(503, #"{"kind":"Status","status":"Failure","message":"etcd is sulking","code":503}"#)
                }
                // Strategic merge by `type`: an entry replaces the condition of its type or is
                // appended; `"$patch": "delete"` removes it (absent: nothing happens); `{}` changes
                // nothing and answers the Node.
                struct Entry: Decodable {
                    var type: String
                    var directive: String?
                    var condition: Condition?
                    enum CodingKeys: String, CodingKey {
                        case type
                        case directive = "$patch"
                    }
                    init(from decoder: any Decoder) throws {
                        let container = try decoder.container(keyedBy: CodingKeys.self)
                        type = try container.decode(String.self, forKey: .type)
                        directive = try container.decodeIfPresent(String.self, forKey: .directive)
                        condition = directive == nil ? try Condition(from: decoder) : nil
                    }
                }
                struct Patch: Decodable {
                    struct Status: Decodable { var conditions: [Entry]? }
                    var status: Status?
                }
                guard let patch = try? JSONDecoder().decode(Patch.self, from: Data(request.body)),
                    (patch.status?.conditions ?? []).allSatisfy({ $0.directive == nil || $0.directive == "delete" })
                else {
                    state.rejected.append("400 body")
                    return .json(400, #"{"kind":"Status","status":"Failure","message":"bad patch body","code":400}"#)
                }
                state.patchBodies.append(request.body)
                for entry in patch.status?.conditions ?? [] {
                    let index = state.conditions.firstIndex { $0.type == entry.type }
                    switch (entry.condition, index) {
                    case (nil, let index?): state.conditions.remove(at: index)
                    case (nil, nil): break
                    case (let condition?, let index?): state.conditions[index] = condition
                    case (let condition?, nil): state.conditions.append(condition)
                    }
                }
                return .json(200, nodeJSON(state.conditions))
            default:
                state.rejected.append("404 \(request.method) \(request.path)")
                return .json(404, #"{"kind":"Status","status":"Failure","message":"not found","code":404}"#)
            }
        }
    }

    private func nodeJSON(_ conditions: [Condition]) -> String {
        let encoded = (try? JSONEncoder().encode(conditions)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return #"{"kind":"Node","apiVersion":"v1","metadata":{"name":"\#(node)"},"status":{"conditions":\#(encoded)}}"#
    }
}

/// Lets the handler, created before the fake, reach it.
private final class Box: Sendable {
    private let lock = Mutex<FakeKubernetesAPI?>(nil)
    var api: FakeKubernetesAPI? {
        get { lock.withLock { $0 } }
        set { lock.withLock { $0 = newValue } }
    }
}
