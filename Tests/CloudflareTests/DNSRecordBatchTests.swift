import Cloudflare
import HTTP
import TestSupport
import Testing

/// `dns_records/batch` and the zone listing on the wire: the body's four arrays, one transaction,
/// the plan's limit as an error with its code, pages until `result_info` says the last one.
@Suite("Cloudflare batches and zone listing")
struct DNSRecordBatchTests {
    static let http = CloudflareClientTests.http

    @Test("one POST carries deletes, patches and posts (puts empty); the answer lists what each did")
    func batchBody() async throws {
        try await withFake(try await FakeCloudflare.start(token: "t", zoneID: "z")) { fake in
            let stale = fake.addRecord(name: "gone.example.com", type: "A", content: "100.64.0.9", ttl: 60, comment: "managed")
            let moved = fake.addRecord(name: "web.example.com", type: "A", content: "100.64.0.1", ttl: 60, comment: "managed")
            let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
            let batch = DNSRecordBatch(
                deletes: [.init(id: stale)],
                patches: [.init(id: moved, content: "100.64.0.2")],
                posts: [DNSRecordInput(type: "A", name: "new.example.com", content: "100.64.0.3", ttl: 60, proxied: false, comment: "managed")]
            )
            let result = try await client.applyBatch(batch)

            #expect(result.deletes.map(\.id) == [stale])
            #expect(result.patches.map(\.content) == ["100.64.0.2"])
            #expect(result.posts.map(\.name) == ["new.example.com"])
            #expect(fake.requests.map(\.line) == ["POST /client/v4/zones/z/dns_records/batch"])
            let body = try #require(fake.requests.first?.text)
            #expect(body.contains(#""puts":[]"#), "puts are never used: a PUT would drop the comment")
            #expect(!body.contains(#""comment":null"#), "a patch sends only the fields it changes")
            #expect(fake.records.map(\.name).sorted() == ["new.example.com", "web.example.com"])
            #expect(fake.records.first { $0.id == moved }?.comment == "managed")
        }
    }

    @Test("a batch over the plan's limit is refused whole, with the API's code; nothing changes")
    func overTheLimit() async throws {
        try await withFake(try await FakeCloudflare.start(token: "t", zoneID: "z", batchLimit: 2)) { fake in
            let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
            let posts = (1...3).map { DNSRecordInput(type: "A", name: "n\($0).example.com", content: "100.64.0.\($0)", ttl: 60) }
            let error = await #expect(throws: CloudflareError.self) { _ = try await client.applyBatch(DNSRecordBatch(posts: posts)) }
            #expect(error?.codes == [FakeCloudflare.batchTooLargeCode])
            #expect(fake.records.isEmpty)
            #expect(fake.batchCalls == 1, "a refusal is an answer, not something to send again")
        }
    }

    @Test("one failing operation fails the batch and changes nothing")
    func transaction() async throws {
        try await withFake(try await FakeCloudflare.start(token: "t", zoneID: "z")) { fake in
            let kept = fake.addRecord(name: "kept.example.com", type: "A", content: "100.64.0.1", ttl: 60)
            fake.refuseChanges(named: "locked.example.com")
            let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
            let batch = DNSRecordBatch(
                deletes: [.init(id: kept)],
                posts: [DNSRecordInput(type: "A", name: "locked.example.com", content: "100.64.0.2", ttl: 60)]
            )
            let error = await #expect(throws: CloudflareError.self) { _ = try await client.applyBatch(batch) }
            #expect(error?.codes == [FakeCloudflare.refusedChangeCode])
            #expect(fake.records.map(\.id) == [kept], "the delete before the failing post was rolled back")
        }
    }

    @Test("the zone listing reads every page and counts one request per page")
    func zoneListing() async throws {
        try await withFake(try await FakeCloudflare.start(token: "t", zoneID: "z", maxPerPage: 4)) { fake in
            for index in 0..<10 { fake.addRecord(name: "n\(index).example.com", type: "A", content: "100.64.0.\(index)") }
            let listing = try await CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http).zoneRecords(perPage: 5_000)
            #expect(listing.records.count == 10)
            #expect(listing.requests == 3)
            #expect(fake.requests.map { $0.query["page"] } == ["1", "2", "3"])
            #expect(fake.requests.allSatisfy { $0.query["per_page"] == "5000" }, "the client asks for large pages; the zone clamps")
        }
    }
}
