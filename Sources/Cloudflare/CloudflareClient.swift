import HTTP
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A thin client for Cloudflare's DNS records API (v4): list (all pages), create, update in place
/// with PATCH, delete. Checks `success` and `errors[].code`, not only the HTTP status.
///
/// ```swift
/// let cloudflare = CloudflareClient(zoneID: zone, token: token)
/// let records = try await cloudflare.records(named: "ollama.example.com")
/// ```
public final class CloudflareClient: Sendable {
    public let baseURL: String
    public let zoneID: String
    private let token: String
    let http: HTTPClient
    let logger: Logger
    /// Records asked for per page; Cloudflare allows far more than one name ever has.
    public let pageSize: Int

    /// Error codes that mean the token itself was refused.
    static let authenticationCodes: Set<Int> = [6003, 6111, 9103, 9106, 9107, 9109, 10000, 10001]
    /// "An identical record already exists."
    public static let identicalRecordCode = 81058
    /// "Record does not exist." (delete or PATCH of an id that is gone)
    public static let recordNotFoundCode = 81044

    public init(
        baseURL: String = "https://api.cloudflare.com/client/v4",
        zoneID: String,
        token: String,
        pageSize: Int = 500,
        http: HTTPClient = HTTPClient(),
        logger: Logger = Logger(label: "charon.cloudflare")
    ) {
        self.baseURL = String(baseURL.reversed().drop { $0 == "/" }.reversed())
        self.zoneID = zoneID
        self.token = token
        self.pageSize = pageSize
        self.http = http
        self.logger = logger
    }

    var recordsPath: String { "/zones/\(PercentEncoding.escape(zoneID))/dns_records" }

    /// Every record whose name is `name` (Cloudflare's exact-name filter), following
    /// `result_info` pages. Callers still compare names themselves, case-insensitively.
    public func records(named name: String) async throws -> [DNSRecord] {
        try await listRecords(filter: "name=\(PercentEncoding.escape(name.lowercased()))&", perPage: pageSize).records
    }

    /// The records `filter` selects (query parameters ending in `&`, or empty for the whole zone),
    /// `perPage` at a time, following `result_info` to the last page; also the pages fetched (one
    /// request each).
    func listRecords(filter: String, perPage: Int) async throws -> (records: [DNSRecord], pages: Int) {
        var all: [DNSRecord] = []
        var page = 1
        let label = "GET \(recordsPath)"
        while true {
            let query = "?\(filter)per_page=\(perPage)&page=\(page)"
            let envelope: CloudflareEnvelope<[DNSRecord]> = try await call(HTTPRequest(.get, baseURL + recordsPath + query), label: label)
            let batch = envelope.result ?? []
            all += batch
            let totalPages = envelope.resultInfo?.totalPages ?? 1
            // Stop on the last page, or on an empty page whatever the envelope claims.
            if page >= totalPages || batch.isEmpty { return (all, page) }
            page += 1
            if page > 10_000 { throw CloudflareError.malformedResponse(request: label, detail: "more than 10000 pages") }
        }
    }

    /// Outcome of a create: the new record, or Cloudflare's word that an identical one exists.
    public enum CreateOutcome: Sendable, Equatable {
        case created(DNSRecord)
        /// 81058: list again to find it.
        case identicalExists
    }

    /// Creates a record. Retried only when it surely did not arrive (connect errors, 429): if the
    /// outcome is unknown, the caller lists again before creating anything.
    public func createRecord(_ input: DNSRecordInput) async throws -> CreateOutcome {
        let request = HTTPRequest(.post, baseURL + recordsPath, body: Array(try JSONEncoder().encode(input)), retryPolicy: .whenNotProcessed)
        do {
            return .created(try await result(of: request, label: "POST \(recordsPath)"))
        } catch let error as CloudflareError where error.codes.contains(Self.identicalRecordCode) {
            return .identicalExists
        }
    }

    /// Updates fields of a record in place (PATCH keeps the fields not sent, the comment included).
    public func updateRecord(id: String, _ input: DNSRecordInput) async throws -> DNSRecord {
        let path = "\(recordsPath)/\(PercentEncoding.escape(id))"
        // Setting absolute values: repeating it is harmless.
        let request = HTTPRequest(.patch, baseURL + path, body: Array(try JSONEncoder().encode(input)), retryPolicy: .idempotent)
        return try await result(of: request, label: "PATCH \(recordsPath)/\(id)")
    }

    /// Deletes a record; one already gone (404 / 81044) counts as deleted.
    public func deleteRecord(id: String) async throws {
        let path = "\(recordsPath)/\(PercentEncoding.escape(id))"
        do {
            let _: CloudflareEnvelope<IgnoredResult> = try await call(HTTPRequest(.delete, baseURL + path), label: "DELETE \(recordsPath)/\(id)")
        } catch let error as CloudflareError {
            if case .api(_, let status, let errors) = error, status == 404 || errors.contains(where: { $0.code == Self.recordNotFoundCode }) {
                logger.debug("record \(id) was already gone")
                return
            }
            throw error
        }
    }

    // MARK: Plumbing

    /// ``call(_:label:)`` for the calls whose answer must carry a `result`.
    func result<T: Decodable>(of request: HTTPRequest, label: String) async throws -> T {
        let envelope: CloudflareEnvelope<T> = try await call(request, label: label)
        guard let result = envelope.result else { throw CloudflareError.malformedResponse(request: label, detail: "no result") }
        return result
    }

    func call<T: Decodable>(_ request: HTTPRequest, label: String) async throws -> CloudflareEnvelope<T> {
        var request = request
        request.headers["Authorization"] = "Bearer \(token)"
        request.headers["Accept"] = "application/json"
        if request.body != nil { request.headers["Content-Type"] = "application/json" }
        // A refused token stays refused: don't spend the shared rate budget retrying it.
        request.retryPolicy.isPermanent = { response in
            response.status == 401 || response.status == 403
        }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            throw CloudflareError.transport(error)
        }
        if response.status == 429 {
            // Still limited after the waits the deadline allowed: hand the wait to the caller.
            throw CloudflareError.rateLimited(request: label, retryAfter: RetryAfter.delay(from: response.headers["Retry-After"]))
        }
        let envelope: CloudflareEnvelope<T>
        do {
            envelope = try JSONDecoder().decode(CloudflareEnvelope<T>.self, from: Data(response.body))
        } catch {
            if !response.isSuccess {
                // An error page from a proxy, not the API: report the status and the text.
                let errors = [CloudflareMessage(code: 0, message: response.excerpt())]
                if response.status == 401 || response.status == 403 {
                    throw CloudflareError.unauthorized(request: label, status: response.status, errors: errors)
                }
                throw CloudflareError.api(request: label, status: response.status, errors: errors)
            }
            throw CloudflareError.malformedResponse(request: label, detail: "\(error)")
        }
        let errors = envelope.errors ?? []
        if response.status == 401 || response.status == 403 || errors.contains(where: { Self.authenticationCodes.contains($0.code) }) {
            throw CloudflareError.unauthorized(request: label, status: response.status, errors: errors)
        }
        guard response.isSuccess, envelope.success else {
            throw CloudflareError.api(request: label, status: response.status, errors: errors)
        }
        return envelope
    }
}
