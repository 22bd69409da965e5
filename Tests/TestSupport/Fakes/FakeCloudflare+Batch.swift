import Foundation

/// `POST /zones/{zone_id}/dns_records/batch`, as Cloudflare documents it: deletes, then patches,
/// then puts, then posts, in one transaction. The fake checks every operation against a copy of
/// the zone and keeps the copy only if all of them pass: one failure answers the first error and
/// changes nothing. More operations than the plan allows (``FakeCloudflare/batchLimit``) are
/// refused up front with the v4 error envelope.
///
/// ```swift
/// let cloudflare = try await FakeCloudflare.start(batchLimit: 200)
/// cloudflare.refuseChanges(named: "ollama.example.com")  // any operation on it fails its batch
/// #expect(cloudflare.batchCalls == 1)
/// ```
extension FakeCloudflare {
    /// Error code of a batch over the plan's limit. Cloudflare documents the limits (200 Free, 3,500
    /// paid) but not this code; the envelope is the documented v4 one.
    public static let batchTooLargeCode = 1004
    /// Error code the fake answers for an operation on a name refused with ``refuseChanges(named:)``.
    public static let refusedChangeCode = 9999

    /// Makes every batch operation that touches `name` fail (so its whole batch fails), as a zone
    /// lock or a record Cloudflare will not change would.
    public func refuseChanges(named name: String) {
        refused.withLock { $0.insert(name.lowercased()) }
    }

    public func allowChanges(named name: String) {
        refused.withLock { _ = $0.remove(name.lowercased()) }
    }

    /// Batch requests received (successful or not).
    public var batchCalls: Int { requests.filter { $0.method == "POST" && $0.path.hasSuffix("/dns_records/batch") }.count }
    /// Listing requests received.
    public var listCalls: Int { requests.filter { $0.method == "GET" }.count }
    /// Requests that could change the zone (everything but GET).
    public var writeCalls: Int { requests.filter { $0.method != "GET" }.count }

    func batch(_ request: FakeRequest) -> FakeResponse {
        guard request.headers["content-type"]?.hasPrefix("application/json") == true else {
            return Self.failure(415, [(6003, "Invalid request headers: Content-Type must be application/json")])
        }
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return Self.failure(400, [(9207, "Request body is invalid JSON")])
        }
        func list(_ key: String) -> [[String: Any]]? {
            guard let value = body[key] else { return [] }
            if value is NSNull { return [] }
            return value as? [[String: Any]]
        }
        guard let deletes = list("deletes"), let patches = list("patches"), let puts = list("puts"), let posts = list("posts") else {
            return Self.failure(400, [(9207, "deletes, patches, puts and posts must be arrays of objects")])
        }
        let total = deletes.count + patches.count + puts.count + posts.count
        guard total <= batchLimit else {
            return Self.failure(
                400,
                [(Self.batchTooLargeCode, "Batch of \(total) operations exceeds this zone's plan limit of \(batchLimit) operations per request")]
            )
        }
        let refusedNames = refused.withLock { $0 }
        return state.withLock { state -> FakeResponse in
            var zone = state  // the transaction: committed only if every operation passes
            var result: [String: [[String: Any]]] = ["deletes": [], "patches": [], "puts": [], "posts": []]
            func refusedFailure(_ name: String) -> FakeResponse? {
                refusedNames.contains(name) ? Self.failure(400, [(Self.refusedChangeCode, "Record \(name) cannot be changed now")]) : nil
            }
            for operation in deletes {
                guard let id = operation["id"] as? String, let index = zone.records.firstIndex(where: { $0.id == id }) else {
                    return Self.failure(404, [(81044, "Record does not exist.")])
                }
                if let refusal = refusedFailure(zone.records[index].name) { return refusal }
                result["deletes"]!.append(Self.json(zone.records.remove(at: index)))
            }
            for (operations, replace) in [(patches, false), (puts, true)] {
                for operation in operations {
                    if let problem = validate(operation, request: request) { return problem }
                    guard let id = operation["id"] as? String, let index = zone.records.firstIndex(where: { $0.id == id }) else {
                        return Self.failure(404, [(81044, "Record does not exist.")])
                    }
                    if let refusal = refusedFailure(zone.records[index].name) { return refusal }
                    if replace, !(operation["name"] is String && operation["type"] is String && operation["content"] is String) {
                        return Self.failure(400, [(9000, "DNS name, type and content are required")])
                    }
                    var record = zone.records[index]
                    record.update(with: operation, replace: replace)
                    zone.records[index] = record
                    result[replace ? "puts" : "patches"]!.append(Self.json(record))
                }
            }
            for operation in posts {
                if let problem = validate(operation, request: request) { return problem }
                guard let type = operation["type"] as? String, let name = (operation["name"] as? String)?.lowercased(),
                    let content = operation["content"] as? String
                else {
                    return Self.failure(400, [(9000, "DNS name, type and content are required")])
                }
                if let refusal = refusedFailure(name) { return refusal }
                guard let record = zone.create(name: name, type: type, content: content, fields: operation) else {
                    return Self.failure(400, [(81058, "An identical record already exists.")])
                }
                result["posts"]!.append(Self.json(record))
            }
            state = zone
            return Self.success(result)
        }
    }
}
