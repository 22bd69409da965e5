/// A `coordination.k8s.io/v1` Lease: who holds it, since when, until when it counts.
///
/// Times are `MicroTime` on the wire (RFC 3339 with microseconds, `2026-12-02T09:00:00.000000Z`);
/// here they are microseconds since the epoch (``MicroTime``).
///
/// ```swift
/// var lease = Lease(name: "charon-node-fleet", namespace: "charon-system")
/// lease.spec.holderIdentity = "node1_3f9a2c"
/// lease.spec.leaseDurationSeconds = 60
/// ```
public struct Lease: Codable, Sendable, Equatable {
    public struct Metadata: Codable, Sendable, Equatable {
        public var name: String
        public var namespace: String?
        /// Set by the API server; an update must send the one it read (optimistic concurrency).
        public var resourceVersion: String?

        public init(name: String, namespace: String?, resourceVersion: String? = nil) {
            self.name = name
            self.namespace = namespace
            self.resourceVersion = resourceVersion
        }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        public var acquireTime: MicroTime?
        public var renewTime: MicroTime?
        public var leaseTransitions: Int?

        public init(
            holderIdentity: String? = nil,
            leaseDurationSeconds: Int? = nil,
            acquireTime: MicroTime? = nil,
            renewTime: MicroTime? = nil,
            leaseTransitions: Int? = nil
        ) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    public var apiVersion = "coordination.k8s.io/v1"
    public var kind = "Lease"
    public var metadata: Metadata
    public var spec: Spec

    public init(name: String, namespace: String, spec: Spec = Spec()) {
        metadata = Metadata(name: name, namespace: namespace)
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? "coordination.k8s.io/v1"
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? "Lease"
        metadata = try container.decode(Metadata.self, forKey: .metadata)
        spec = try container.decodeIfPresent(Spec.self, forKey: .spec) ?? Spec()
    }
}
