import Foundation
import Synchronization
import TestSupport

/// A Kubernetes API holding one ConfigMap, as strict as the real server about what a patch is:
/// PATCH must be `application/merge-patch+json` (415 otherwise), the body must be a JSON object
/// with only `data` (400 otherwise); `data` is merged key by key (null deletes).
final class FakeConfigMapAPI: StoppableFake, Sendable {
    let server: LoopbackServer
    private let store: StoreBox

    var baseURL: String { server.baseURL }
    var patches: [FakeRequest] { server.requests.filter { $0.method == "PATCH" } }
    /// The ConfigMap's data as the server holds it now.
    var stored: [String: String]? { store.snapshot }

    private init(server: LoopbackServer, store: StoreBox) {
        self.server = server
        self.store = store
    }

    /// `data` nil: the ConfigMap does not exist (404).
    static func start(
        namespace: String = "ingress-nginx",
        name: String = "ingress-nginx-controller",
        data: [String: String]?
    ) async throws -> FakeConfigMapAPI {
        let store = StoreBox(data)
        let path = "/api/v1/namespaces/\(namespace)/configmaps/\(name)"
        let server = try await LoopbackServer.start { request in
            guard request.path == path else { return .json(404, #"{"kind":"Status","message":"not found","code":404}"#) }
            return store.handle(request, namespace: namespace, name: name)
        }
        return FakeConfigMapAPI(server: server, store: store)
    }

    func stop() async { await server.stop() }
}

final class StoreBox: Sendable {
    private let state: Mutex<[String: String]?>
    init(_ data: [String: String]?) { state = Mutex(data) }
    var snapshot: [String: String]? { state.withLock { $0 } }

    func handle(_ request: FakeRequest, namespace: String, name: String) -> FakeResponse {
        state.withLock { data in
            guard var current = data else {
                return .json(
                    404,
                    #"{"kind":"Status","status":"Failure","message":"configmaps \"\#(name)\" not found","reason":"NotFound","code":404}"#
                )
            }
            switch request.method {
            case "GET":
                return .json(200, Self.configMapJSON(namespace: namespace, name: name, data: current))
            case "PATCH":
                guard request.headers["content-type"] == "application/merge-patch+json" else {
                    return .json(415, #"{"kind":"Status","message":"the body of the request was in an unknown format","code":415}"#)
                }
                guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                    Set(object.keys) == ["data"], let patch = object["data"] as? [String: Any]
                else {
                    return .json(400, #"{"kind":"Status","message":"bad patch body","code":400}"#)
                }
                for (key, value) in patch {
                    if value is NSNull {
                        current[key] = nil
                    } else if let text = value as? String {
                        current[key] = text
                    } else {
                        return .json(400, #"{"kind":"Status","message":"data values must be strings","code":400}"#)
                    }
                }
                data = current
                return .json(200, Self.configMapJSON(namespace: namespace, name: name, data: current))
            default:
                return .json(405, #"{"kind":"Status","message":"method not allowed","code":405}"#)
            }
        }
    }

    static func configMapJSON(namespace: String, name: String, data: [String: String]) -> String {
        let encoded = String(decoding: try! JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self)
        return
            #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"\#(name)","namespace":"\#(namespace)","resourceVersion":"4711"},"data":\#(encoded)}"#
    }
}
