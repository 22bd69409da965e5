import Foundation
import TestSupport

/// A Kubernetes API serving Traefik's `traefik.io/v1alpha1` Middleware custom resource in one
/// namespace, as strict as the real server about what it accepts:
/// - `GET …/middlewares/<name>`: the object, or 404 with a `Status` body (`reason: NotFound`);
/// - `POST …/middlewares`: `Content-Type: application/json`, a `Middleware` of that apiVersion
///   whose namespace (if given) matches the path; 409 `AlreadyExists` when the name is taken;
/// - `PATCH …/middlewares/<name>`: `application/merge-patch+json` only (415 otherwise), applied
///   per RFC 7386 (null deletes); `apiVersion`, `kind`, `metadata.name` cannot change (400);
/// - anything else: 404 or 405.
final class FakeMiddlewareAPI: StoppableFake, Sendable {
    let server: LoopbackServer
    let namespace: String
    private let store: Store

    /// The objects by name, as JSONSerialization gives them (not Sendable: guarded by the lock).
    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var objects: [String: [String: Any]]
        init(_ objects: [String: [String: Any]]) { self.objects = objects }
        func withLock<T>(_ body: (inout [String: [String: Any]]) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&objects)
        }
    }

    var baseURL: String { server.baseURL }
    var writes: [FakeRequest] { server.requests.filter { $0.method != "GET" } }

    private init(server: LoopbackServer, namespace: String, store: Store) {
        self.server = server
        self.namespace = namespace
        self.store = store
    }

    /// `specs`: the Middlewares present at start, by name.
    static func start(namespace: String = "traefik-internal", specs: [String: [String: Any]] = [:]) async throws -> FakeMiddlewareAPI {
        var initial: [String: [String: Any]] = [:]
        for (name, spec) in specs {
            initial[name] = [
                "apiVersion": "traefik.io/v1alpha1", "kind": "Middleware",
                "metadata": ["name": name, "namespace": namespace, "resourceVersion": "1"], "spec": spec,
            ]
        }
        let box = Store(initial)
        let collection = "/apis/traefik.io/v1alpha1/namespaces/\(namespace)/middlewares"
        let server = try await LoopbackServer.start { request in
            box.withLock { objects in Self.handle(request, collection: collection, namespace: namespace, objects: &objects) }
        }
        return FakeMiddlewareAPI(server: server, namespace: namespace, store: box)
    }

    func stop() async { await server.stop() }

    /// The Middleware's `spec` as the server holds it now, as canonical JSON text.
    func spec(_ name: String) -> String? {
        store.withLock { objects in
            objects[name].flatMap { $0["spec"] }.map { Self.text($0) }
        }
    }

    static func text(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    static func status(_ code: Int, _ reason: String, _ message: String) -> FakeResponse {
        .json(code, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#)
    }

    static func handle(_ request: FakeRequest, collection: String, namespace: String, objects: inout [String: [String: Any]]) -> FakeResponse {
        if request.path == collection {
            guard request.method == "POST" else { return status(405, "MethodNotAllowed", "method not allowed") }
            guard request.headers["content-type"] == "application/json" else {
                return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
            }
            guard var object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                object["apiVersion"] as? String == "traefik.io/v1alpha1", object["kind"] as? String == "Middleware",
                var metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String, !name.isEmpty
            else {
                return status(400, "BadRequest", "not a traefik.io/v1alpha1 Middleware")
            }
            if let given = metadata["namespace"] as? String, given != namespace {
                return status(400, "BadRequest", "the namespace of the object does not match the namespace on the request")
            }
            guard objects[name] == nil else { return status(409, "AlreadyExists", "middlewares.traefik.io \\\"\(name)\\\" already exists") }
            metadata["namespace"] = namespace
            metadata["resourceVersion"] = "1"
            object["metadata"] = metadata
            objects[name] = object
            return .json(201, text(object))
        }
        guard request.path.hasPrefix(collection + "/") else { return status(404, "NotFound", "the server could not find the requested resource") }
        let name = String(request.path.dropFirst(collection.count + 1))
        guard let object = objects[name] else { return status(404, "NotFound", "middlewares.traefik.io \\\"\(name)\\\" not found") }
        switch request.method {
        case "GET":
            return .json(200, text(object))
        case "PATCH":
            guard request.headers["content-type"] == "application/merge-patch+json" else {
                return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
            }
            guard let patch = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
                return status(400, "BadRequest", "the patch is not a JSON object")
            }
            guard let merged = mergePatch(object, patch) as? [String: Any], merged["apiVersion"] as? String == object["apiVersion"] as? String,
                merged["kind"] as? String == "Middleware", (merged["metadata"] as? [String: Any])?["name"] as? String == name
            else {
                return status(400, "BadRequest", "apiVersion, kind and metadata.name cannot change")
            }
            objects[name] = merged
            return .json(200, text(merged))
        default:
            return status(405, "MethodNotAllowed", "method not allowed")
        }
    }

    /// RFC 7386: objects merge member by member, null removes, anything else replaces.
    static func mergePatch(_ target: Any?, _ patch: Any) -> Any? {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (key, value) in patch {
            if value is NSNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key], value)
            }
        }
        return result
    }
}
