import Kubernetes
import TestSupport
import Testing

/// Leases on the wire: 404 is "none", a second create is a 409, an update with a stale
/// `resourceVersion` is a 409, a cached read asks for `resourceVersion=0`.
@Suite("Kubernetes leases")
struct LeaseClientTests {
    static let namespace = "charon-system"
    static let name = "charon-node-fleet"

    static func lease(holder: String) -> Lease {
        Lease(
            name: name,
            namespace: namespace,
            spec: .init(holderIdentity: holder, leaseDurationSeconds: 60, renewTime: MicroTime(microseconds: 1_500_000))
        )
    }

    @Test("a missing Lease reads as nil; create sets a resourceVersion; a second create is a conflict")
    func createOnce() async throws {
        try await KubernetesWorld.with { world in
            #expect(try await world.client.lease(namespace: Self.namespace, name: Self.name) == nil)
            let created = try await world.client.createLease(Self.lease(holder: "node1_a"))
            #expect(created.metadata.resourceVersion != nil)
            #expect(created.spec.holderIdentity == "node1_a")
            #expect(world.api.server.requests.last?.line == "POST /apis/coordination.k8s.io/v1/namespaces/charon-system/leases")
            let error = await #expect(throws: KubernetesError.self) { _ = try await world.client.createLease(Self.lease(holder: "node2_b")) }
            #expect(error?.isConflict == true, "\(String(describing: error))")
            #expect(world.api.leases.holder(namespace: Self.namespace, name: Self.name) == "node1_a")
        }
    }

    @Test("an update must carry the resourceVersion read: a stale one is a conflict and changes nothing")
    func optimisticConcurrency() async throws {
        try await KubernetesWorld.with { world in
            let created = try await world.client.createLease(Self.lease(holder: "node1_a"))
            var renewed = created
            renewed.spec.renewTime = MicroTime(microseconds: 2_500_000)
            let updated = try await world.client.updateLease(renewed)
            #expect(updated.metadata.resourceVersion != created.metadata.resourceVersion)
            #expect(updated.spec.renewTime == MicroTime(microseconds: 2_500_000))

            var stale = created
            stale.spec.holderIdentity = "node2_b"
            let error = await #expect(throws: KubernetesError.self) { _ = try await world.client.updateLease(stale) }
            #expect(error?.isConflict == true, "\(String(describing: error))")
            #expect(world.api.leases.holder(namespace: Self.namespace, name: Self.name) == "node1_a")
            #expect(world.api.server.requests.last?.method == "PUT")
        }
    }

    @Test("a cached read asks the watch cache (resourceVersion=0); a plain read does not")
    func cachedRead() async throws {
        try await KubernetesWorld.with { world in
            _ = try await world.client.createLease(Self.lease(holder: "node1_a"))
            let cached = try await world.client.lease(namespace: Self.namespace, name: Self.name, cached: true)
            #expect(cached?.spec.holderIdentity == "node1_a")
            #expect(world.api.server.requests.last?.query["resourceVersion"] == "0")
            _ = try await world.client.lease(namespace: Self.namespace, name: Self.name)
            #expect(world.api.server.requests.last?.query["resourceVersion"] == nil)
        }
    }

    @Test("MicroTime reads and writes RFC 3339 with microseconds")
    func microTime() {
        #expect(MicroTime(microseconds: 1_500_000).text == "1970-01-01T00:00:01.500000Z")
        #expect(MicroTime(parsing: "1970-01-01T00:00:01.5Z")?.microseconds == 1_500_000)
        #expect(MicroTime(parsing: "1970-01-01T00:00:02Z")?.microseconds == 2_000_000)
        #expect(MicroTime(parsing: "2026-12-02T09:00:00.000001Z")?.text == "2026-12-02T09:00:00.000001Z")
        #expect(MicroTime(parsing: "2026-12-02 09:00:00Z") == nil)
    }
}
