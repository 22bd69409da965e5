import HTTP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whole-zone calls for the fleet pass: one paginated listing of every record, and batched changes.
extension CloudflareClient {
    /// A listing of the whole zone and what it cost.
    public struct ZoneListing: Sendable {
        public var records: [DNSRecord]
        /// Pages fetched: one request each.
        public var requests: Int
    }

    /// Every record of the zone, `perPage` at a time (Cloudflare allows large pages; the fleet asks
    /// for 5,000), following `result_info` until the last page.
    ///
    /// ```swift
    /// let listing = try await cloudflare.zoneRecords(perPage: 5_000)
    /// let addresses = listing.records.filter { $0.type == "A" || $0.type == "AAAA" }
    /// ```
    public func zoneRecords(perPage: Int = 5_000) async throws -> ZoneListing {
        let listing = try await listRecords(filter: "", perPage: perPage)
        return ZoneListing(records: listing.records, requests: listing.pages)
    }

    /// Sends one batch (`POST …/dns_records/batch`). Cloudflare applies it as one transaction: if
    /// any operation fails, nothing is changed and the first error comes back. Retried only when it
    /// surely did not arrive (connect errors, 429 after `Retry-After`): an unknown outcome is
    /// settled by the next listing, not by sending it again.
    public func applyBatch(_ batch: DNSRecordBatch) async throws -> DNSRecordBatchResult {
        let path = "\(recordsPath)/batch"
        let request = HTTPRequest(.post, baseURL + path, body: Array(try JSONEncoder().encode(batch)), retryPolicy: .whenNotProcessed)
        return try await result(of: request, label: "POST \(path)")
    }
}
