import Foundation
import Synchronization

/// The Lease API of ``FakeKubernetesAPI`` (`coordination.k8s.io/v1`), strict where the API server
/// is: GET answers 404 with a `Status` for a missing Lease; POST of an existing name answers 409
/// `AlreadyExists`; PUT must carry the `metadata.resourceVersion` it read and answers 409
/// `Conflict` when the Lease changed since (the API server's optimistic concurrency); every
/// accepted write gets a new resourceVersion.
///
/// ```swift
/// let api = try await FakeKubernetesAPI.start(node: "node1", token: "t0ken")
/// // … electors against api.baseURL …
/// #expect(api.leases.holder(namespace: "charon-system", name: "charon-node-fleet") == "node1_ab12")
/// ```
public final class FakeLeaseStore: Sendable {
    struct Stored {
        var object: [String: Any]
        var resourceVersion: Int
    }

    private struct State: @unchecked Sendable {
        var leases: [String: Stored] = [:]
        var nextVersion = 1
        var conflicts = 0
        var writes = 0
    }

    private let state = Mutex(State())

    public init() {}

    static let prefix = "/apis/coordination.k8s.io/v1/namespaces/"

    /// The Lease's `spec.holderIdentity`, nil when it has none or does not exist.
    public func holder(namespace: String, name: String) -> String? {
        spec(namespace: namespace, name: name)?["holderIdentity"] as? String
    }

    /// `spec.leaseTransitions`.
    public func transitions(namespace: String, name: String) -> Int? {
        spec(namespace: namespace, name: name)?["leaseTransitions"] as? Int
    }

    /// `spec.renewTime` as stored.
    public func renewTime(namespace: String, name: String) -> String? {
        spec(namespace: namespace, name: name)?["renewTime"] as? String
    }

    /// 409s answered so far.
    public var conflicts: Int { state.withLock { $0.conflicts } }
    /// Writes accepted so far (creates and updates).
    public var writes: Int { state.withLock { $0.writes } }

    private func spec(namespace: String, name: String) -> [String: Any]? {
        state.withLock { $0.leases["\(namespace)/\(name)"]?.object["spec"] as? [String: Any] }
    }

    /// Answers a request under `/apis/coordination.k8s.io/v1/namespaces/`.
    func handle(_ request: FakeRequest) -> FakeResponse {
        let parts = request.path.dropFirst(Self.prefix.count).split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[1] == "leases" else { return Self.status(404, "NotFound", "the server could not find the requested resource") }
        let namespace = parts[0]
        switch (request.method, parts.count) {
        case ("GET", 3): return get(namespace, parts[2])
        case ("POST", 2): return create(namespace, request)
        case ("PUT", 3): return update(namespace, parts[2], request)
        default: return Self.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        }
    }

    private func get(_ namespace: String, _ name: String) -> FakeResponse {
        state.withLock { state in
            guard let stored = state.leases["\(namespace)/\(name)"] else {
                return Self.status(404, "NotFound", "leases.coordination.k8s.io \"\(name)\" not found", name: name)
            }
            return Self.object(200, stored)
        }
    }

    private func create(_ namespace: String, _ request: FakeRequest) -> FakeResponse {
        guard let object = Self.lease(from: request), let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String
        else {
            return Self.status(400, "BadRequest", "the body is not a Lease")
        }
        return state.withLock { state in
            let key = "\(namespace)/\(name)"
            if state.leases[key] != nil {
                state.conflicts += 1
                return Self.status(409, "AlreadyExists", "leases.coordination.k8s.io \"\(name)\" already exists", name: name)
            }
            let stored = Stored(object: object, resourceVersion: state.nextVersion)
            state.nextVersion += 1
            state.writes += 1
            state.leases[key] = stored
            return Self.object(201, stored)
        }
    }

    private func update(_ namespace: String, _ name: String, _ request: FakeRequest) -> FakeResponse {
        guard let object = Self.lease(from: request), let metadata = object["metadata"] as? [String: Any] else {
            return Self.status(400, "BadRequest", "the body is not a Lease")
        }
        guard let version = (metadata["resourceVersion"] as? String).flatMap(Int.init) else {
            return Self.status(
                422,
                "Invalid",
                "Lease.coordination.k8s.io \"\(name)\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
                name: name
            )
        }
        return state.withLock { state in
            let key = "\(namespace)/\(name)"
            guard let current = state.leases[key] else {
                return Self.status(404, "NotFound", "leases.coordination.k8s.io \"\(name)\" not found", name: name)
            }
            guard current.resourceVersion == version else {
                state.conflicts += 1
                return Self.status(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled on leases.coordination.k8s.io \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                    name: name
                )
            }
            let stored = Stored(object: object, resourceVersion: state.nextVersion)
            state.nextVersion += 1
            state.writes += 1
            state.leases[key] = stored
            return Self.object(200, stored)
        }
    }

    private static func lease(from request: FakeRequest) -> [String: Any]? {
        guard request.headers["content-type"]?.hasPrefix("application/json") == true,
            let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            object["kind"] as? String == "Lease", object["apiVersion"] as? String == "coordination.k8s.io/v1"
        else { return nil }
        return object
    }

    private static func object(_ status: Int, _ stored: Stored) -> FakeResponse {
        var object = stored.object
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        metadata["resourceVersion"] = String(stored.resourceVersion)
        object["metadata"] = metadata
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return FakeResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    /// The API server's `Status` body.
    static func status(_ code: Int, _ reason: String, _ message: String, name: String? = nil) -> FakeResponse {
        var object: [String: Any] = [
            "kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure", "message": message, "reason": reason,
            "code": code,
        ]
        if let name { object["details"] = ["name": name, "group": "coordination.k8s.io", "kind": "leases"] }
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return FakeResponse(status: code, headers: [("Content-Type", "application/json")], body: Array(data))
    }
}
