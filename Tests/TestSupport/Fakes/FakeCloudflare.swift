import Foundation
import Synchronization

/// A stateful fake of Cloudflare's DNS records API (v4) on loopback, written from the public API
/// docs: the `success`/`errors`/`result`/`result_info` envelope, exact-name filtering, pages,
/// create / PATCH / PUT / DELETE, 81058 for an identical record, 81044 for an unknown id, the
/// Free-zone limits on comments (100 characters, one line) and tags, 403 + 10000 for a bad token,
/// the transactional batch endpoint with its per-plan operation limit (see `FakeCloudflare+Batch`),
/// and injectable faults.
///
/// ```swift
/// let cloudflare = try await FakeCloudflare.start(token: "cf-test", zoneID: "zone1")
/// cloudflare.addRecord(name: "ollama.example.com", type: "A", content: "100.64.0.9")
/// // CLOUDFLARE_API_URL=\(cloudflare.url)
/// ```
public final class FakeCloudflare: Sendable {
    public struct Record: Sendable, Equatable {
        public var id: String
        public var name: String
        public var type: String
        public var content: String
        public var ttl: Int
        public var proxied: Bool
        public var comment: String?

        /// Applies a PATCH (only the fields sent change) or a PUT (`replace`: the whole record is
        /// overwritten, so fields not sent are reset, the comment included), as Cloudflare does.
        mutating func update(with fields: [String: Any], replace: Bool) {
            if replace {
                comment = fields["comment"] as? String
                ttl = fields["ttl"] as? Int ?? 1
                proxied = fields["proxied"] as? Bool ?? false
            } else {
                if let comment = fields["comment"] as? String { self.comment = comment }
                if let ttl = fields["ttl"] as? Int { self.ttl = ttl }
                if let proxied = fields["proxied"] as? Bool { self.proxied = proxied }
            }
            if let content = fields["content"] as? String { self.content = content }
            if let name = fields["name"] as? String { self.name = name.lowercased() }
            if let type = fields["type"] as? String { self.type = type }
        }
    }

    struct State {
        var records: [Record] = []
        var nextID = 1

        /// A POST (alone or in a batch): nil when an identical record exists (Cloudflare's 81058).
        mutating func create(name: String, type: String, content: String, fields: [String: Any]) -> Record? {
            if records.contains(where: { $0.name == name && $0.type == type && $0.content == content }) { return nil }
            let record = Record(
                id: FakeCloudflare.recordID(nextID),
                name: name,
                type: type,
                content: content,
                ttl: fields["ttl"] as? Int ?? 1,
                proxied: fields["proxied"] as? Bool ?? false,
                comment: fields["comment"] as? String
            )
            nextID += 1
            records.append(record)
            return record
        }
    }

    public let token: String
    public let zoneID: String
    /// Largest `per_page` honoured (Cloudflare clamps larger asks).
    public let maxPerPage: Int
    /// Operations one batch may hold: 200 on the Free plan, 3,500 on paid plans.
    public let batchLimit: Int
    public let faults: FakeFaults
    let state: Mutex<State>
    /// Names whose batch operations fail (see `refuseChanges(named:)`).
    let refused = Mutex<Set<String>>([])
    let server: LoopbackServer

    /// `http://127.0.0.1:<port>/client/v4`: the value for `CLOUDFLARE_API_URL`.
    public var url: String { server.baseURL + "/client/v4" }
    public var port: Int { server.port }
    public var requests: [FakeRequest] { server.requests }
    public func clearLog() { server.clearLog() }

    private init(token: String, zoneID: String, maxPerPage: Int, batchLimit: Int, faults: FakeFaults, server: LoopbackServer) {
        self.token = token
        self.zoneID = zoneID
        self.maxPerPage = maxPerPage
        self.batchLimit = batchLimit
        self.faults = faults
        self.state = Mutex(State())
        self.server = server
    }

    public static func start(
        token: String = "cf-token-FAKE0123456789",
        zoneID: String = "023e105f4ecef8ad9ca31a8372d0c353",
        maxPerPage: Int = 5_000,
        batchLimit: Int = 200,
        port: Int = 0
    ) async throws -> FakeCloudflare {
        let faults = FakeFaults()
        let box = LateBound<FakeCloudflare>()
        let server = try await LoopbackServer.start(port: port) { request in
            guard let fake = box.value else { return .text(503, "starting") }
            return fake.handle(request)
        }
        let fake = FakeCloudflare(token: token, zoneID: zoneID, maxPerPage: maxPerPage, batchLimit: batchLimit, faults: faults, server: server)
        box.set(fake)
        return fake
    }

    public func stop() async { await server.stop() }

    // MARK: State

    @discardableResult
    public func addRecord(name: String, type: String, content: String, ttl: Int = 1, comment: String? = nil) -> String {
        state.withLock { state in
            let id = Self.recordID(state.nextID)
            state.nextID += 1
            state.records.append(Record(id: id, name: name.lowercased(), type: type, content: content, ttl: ttl, proxied: false, comment: comment))
            return id
        }
    }

    public func removeRecord(id: String) {
        state.withLock { $0.records.removeAll { $0.id == id } }
    }

    public var records: [Record] { state.withLock { $0.records } }

    public func records(named name: String) -> [Record] {
        records.filter { $0.name == name.lowercased() }
    }

    static func recordID(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: max(0, 32 - hex.count)) + hex
    }

    // MARK: Wire

    func handle(_ request: FakeRequest) -> FakeResponse {
        faults.answer(request, errorBody: Self.faultBody(status:)) {
            guard request.headers["authorization"] == "Bearer \(token)" else {
                return Self.failure(403, [(10000, "Authentication error")])
            }
            let parts = request.path.split(separator: "/").map(String.init)
            guard parts.count >= 5, parts[0] == "client", parts[1] == "v4", parts[2] == "zones", parts[4] == "dns_records" else {
                return Self.failure(404, [(7000, "No route for that URI")])
            }
            guard parts[3] == zoneID else {
                return Self.failure(400, [(7003, "Could not route to \(request.path), perhaps your object identifier is invalid?")])
            }
            switch (request.method, parts.count) {
            case ("POST", 6) where parts[5] == "batch": return batch(request)
            case ("GET", 5): return list(request)
            case ("POST", 5): return create(request)
            case ("PATCH", 6): return update(parts[5], request, replace: false)
            case ("PUT", 6): return update(parts[5], request, replace: true)
            case ("DELETE", 6): return delete(parts[5])
            default: return Self.failure(405, [(10405, "Method not allowed")])
            }
        }
    }

    private func list(_ request: FakeRequest) -> FakeResponse {
        let name = request.query["name"]?.lowercased()
        let type = request.query["type"]
        let perPage = min(max(Int(request.query["per_page"] ?? "100") ?? 100, 5), maxPerPage)
        let page = max(Int(request.query["page"] ?? "1") ?? 1, 1)
        let matching = records.filter { (name == nil || $0.name == name) && (type == nil || $0.type == type) }
        let start = min((page - 1) * perPage, matching.count)
        let slice = Array(matching[start..<min(start + perPage, matching.count)])
        let totalPages = max(1, (matching.count + perPage - 1) / perPage)
        return Self.success(
            slice.map(Self.json),
            resultInfo: ["page": page, "per_page": perPage, "count": slice.count, "total_count": matching.count, "total_pages": totalPages]
        )
    }

    func validate(_ body: [String: Any], request: FakeRequest) -> FakeResponse? {
        guard request.headers["content-type"]?.hasPrefix("application/json") == true else {
            return Self.failure(415, [(6003, "Invalid request headers: Content-Type must be application/json")])
        }
        if let comment = body["comment"] as? String, comment.count >= 100 || comment.contains(where: \.isNewline) {
            return Self.failure(400, [(9004, "DNS record comment is invalid: at most 100 characters on one line on this plan")])
        }
        if let tags = body["tags"] as? [Any], !tags.isEmpty {
            return Self.failure(400, [(9004, "DNS record tags are not available on this plan")])
        }
        if let content = body["content"] as? String, let type = body["type"] as? String {
            if type == "A" && (content.contains(":") || content.split(separator: ".").count != 4) {
                return Self.failure(400, [(9005, "Content for A record must be a valid IPv4 address.")])
            }
            if type == "AAAA" && !content.contains(":") {
                return Self.failure(400, [(9006, "Content for AAAA record must be a valid IPv6 address.")])
            }
        }
        return nil
    }

    private func create(_ request: FakeRequest) -> FakeResponse {
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return Self.failure(400, [(9207, "Request body is invalid JSON")])
        }
        if let problem = validate(body, request: request) { return problem }
        guard let type = body["type"] as? String, let name = (body["name"] as? String)?.lowercased(), let content = body["content"] as? String else {
            return Self.failure(400, [(9000, "DNS name, type and content are required")])
        }
        let result = state.withLock { $0.create(name: name, type: type, content: content, fields: body) }
        guard let record = result else { return Self.failure(400, [(81058, "An identical record already exists.")]) }
        return Self.success(Self.json(record))
    }

    private func update(_ id: String, _ request: FakeRequest, replace: Bool) -> FakeResponse {
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return Self.failure(400, [(9207, "Request body is invalid JSON")])
        }
        if let problem = validate(body, request: request) { return problem }
        let result = state.withLock { state -> Record? in
            guard let index = state.records.firstIndex(where: { $0.id == id }) else { return nil }
            var record = state.records[index]
            record.update(with: body, replace: replace)
            state.records[index] = record
            return record
        }
        guard let record = result else { return Self.failure(404, [(81044, "Record does not exist.")]) }
        return Self.success(Self.json(record))
    }

    private func delete(_ id: String) -> FakeResponse {
        let removed = state.withLock { state -> Bool in
            guard let index = state.records.firstIndex(where: { $0.id == id }) else { return false }
            state.records.remove(at: index)
            return true
        }
        return removed ? Self.success(["id": id]) : Self.failure(404, [(81044, "Record does not exist.")])
    }

    /// The envelope an injected fault answers with: 971 for rate limiting, else a generic error.
    static func faultBody(status: Int) -> FakeResponse {
        status == 429
            ? failure(429, [(971, "Please wait and consider throttling your request speed")])
            : failure(status, [(10001, "service temporarily unavailable")])
    }

    static func json(_ record: Record) -> [String: Any] {
        var object: [String: Any] = [
            "id": record.id, "name": record.name, "type": record.type, "content": record.content, "ttl": record.ttl,
            "proxied": record.proxied, "proxiable": true, "settings": [String: Any](), "meta": [String: Any](), "tags": [String](),
            "created_on": "2026-11-25T12:00:00.000000Z", "modified_on": "2026-11-25T12:00:00.000000Z",
        ]
        object["comment"] = record.comment ?? NSNull()
        return object
    }

    static func success(_ result: Any, resultInfo: [String: Int]? = nil) -> FakeResponse {
        var envelope: [String: Any] = ["success": true, "errors": [Any](), "messages": [Any](), "result": result]
        if let resultInfo { envelope["result_info"] = resultInfo }
        return encode(envelope, status: 200)
    }

    static func failure(_ status: Int, _ errors: [(Int, String)]) -> FakeResponse {
        encode(
            ["success": false, "errors": errors.map { ["code": $0.0, "message": $0.1] }, "messages": [Any](), "result": NSNull()],
            status: status
        )
    }

    static func encode(_ object: [String: Any], status: Int) -> FakeResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return FakeResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }
}
