import Cloudflare
import HTTP
import TestSupport
import Testing

/// The Cloudflare client against the fake: pagination by `result_info`, 81058 for an identical
/// record, PATCH keeping the comment, and the v4 error envelope.
@Suite("Cloudflare client")
struct CloudflareClientTests {
    /// Retry waits counted on a skipping clock, so no deadline depends on the machine's speed.
    static let http = HTTPClient(
        configuration: .init(retryDeadline: .seconds(5), initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(40)),
        clock: ManualClock(skipping: true)
    )

    @Test("Cloudflare listing follows result_info pages")
    func pagination() async throws {
        let fake = try await FakeCloudflare.start(token: "t", zoneID: "z", maxPerPage: 5)
        try await withFake(fake) { fake in
            for index in 0..<12 { fake.addRecord(name: "a.example.com", type: "TXT", content: "\"\(index)\"") }
            fake.addRecord(name: "b.example.com", type: "A", content: "100.64.0.1")
            let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", pageSize: 500, http: Self.http)
            let records = try await client.records(named: "A.Example.com")
            #expect(records.count == 12)
            #expect(fake.requests.map { $0.query["page"] } == ["1", "2", "3"])
        }
    }

    @Test("Cloudflare: create sends JSON with the comment; 81058 is reported as identical; PATCH keeps the comment")
    func createAndPatch() async throws {
        let fake = try await FakeCloudflare.start(token: "t", zoneID: "z")
        try await withFake(fake) { fake in
            let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
            let input = DNSRecordInput(type: "A", name: "ollama.example.com", content: "100.64.0.1", ttl: 60, proxied: false, comment: "managed")
            guard case .created(let record) = try await client.createRecord(input) else {
                Issue.record("expected a created record")
                return
            }
            #expect(try await client.createRecord(input) == .identicalExists)
            let updated = try await client.updateRecord(id: record.id, DNSRecordInput(content: "100.64.0.2"))
            #expect(updated.content == "100.64.0.2" && updated.comment == "managed")
            try await client.deleteRecord(id: record.id)
            try await client.deleteRecord(id: record.id)  // gone already: fine
            #expect(fake.records.isEmpty)
        }
    }

    @Test("Cloudflare: success false with HTTP 200 is an error with its codes; a comment over 100 characters is refused")
    func envelopeErrors() async throws {
        let fake = try await FakeCloudflare.start(token: "t", zoneID: "z")
        try await withFake(fake) { fake in
            let client = CloudflareClient(baseURL: fake.url, zoneID: "z", token: "t", http: Self.http)
            fake.faults.inject(.response(.json(200, #"{"success":false,"errors":[{"code":1234,"message":"odd"}],"messages":[],"result":null}"#)))
            let odd = await #expect(throws: CloudflareError.self) { _ = try await client.records(named: "x.example.com") }
            #expect(odd?.codes == [1234])
            let long = DNSRecordInput(type: "A", name: "x.example.com", content: "100.64.0.1", comment: String(repeating: "c", count: 120))
            let refused = await #expect(throws: CloudflareError.self) { _ = try await client.createRecord(long) }
            #expect(refused?.codes == [9004])
            let wrongZone = CloudflareClient(baseURL: fake.url, zoneID: "other", token: "t", http: Self.http)
            let zoneError = await #expect(throws: CloudflareError.self) { _ = try await wrongZone.records(named: "x.example.com") }
            #expect(zoneError?.codes == [7003])
        }
    }
}
