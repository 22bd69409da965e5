import CharonSupport

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON of `/status` (docs/agent.md, "Status endpoint"), also what `charon-node status` decodes.
///
/// ```json
/// {"node":"node1","version":"0.1.0","overall":"healthy","ready":true,"passes":12,
///  "lastPass":"2026-11-25T12:40:03Z",
///  "checks":{"containerd":{"ok":true,"message":"containerd 1.7.24 at /run/containerd/containerd.sock",
///            "reason":"ContainerdReachable","impact":"unhealthy","configured":true,
///            "lastChecked":"2026-11-25T12:40:03Z","lastChange":"2026-11-25T12:28:00Z"},
///            "image":{…,"reference":"localhost/tailscale-lifecycle:latest","digest":"sha256:…"}, …},
///  "order":["containerd","image","disk","tailscale","ingress"]}
/// ```
///
/// ```swift
/// let (document, _) = try await StatusClient(url: "http://127.0.0.1:9102").fetch()
/// print(document.overall, document.checks[HealthCheckName.containerd]?.message ?? "not reported")
/// ```
public struct StatusDocument: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        public var ok: Bool
        public var message: String
        public var reason: String
        public var impact: String
        public var configured: Bool
        public var lastChecked: Timestamp?
        public var lastChange: Timestamp?
        /// Check-specific fields, flattened into the entry (the image's `reference` and `digest`).
        public var details: [String: String]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case ok, message, reason, impact, configured, lastChecked, lastChange
        }

        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(_ entry: CheckEntry) {
            ok = entry.result.ok
            message = entry.result.message
            reason = entry.result.reason
            impact = entry.impact.rawValue
            configured = entry.configured
            lastChecked = entry.lastChecked
            lastChange = entry.lastChange
            details = entry.result.details
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ok, forKey: .ok)
            try container.encode(message, forKey: .message)
            try container.encode(reason, forKey: .reason)
            try container.encode(impact, forKey: .impact)
            try container.encode(configured, forKey: .configured)
            try container.encode(lastChecked, forKey: .lastChecked)
            try container.encode(lastChange, forKey: .lastChange)
            var extra = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in details.sorted(by: { $0.key < $1.key }) where CodingKeys(rawValue: key) == nil {
                try extra.encode(value, forKey: AnyKey(stringValue: key))
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ok = try container.decode(Bool.self, forKey: .ok)
            message = try container.decode(String.self, forKey: .message)
            reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
            impact = try container.decodeIfPresent(String.self, forKey: .impact) ?? HealthImpact.degraded.rawValue
            configured = try container.decodeIfPresent(Bool.self, forKey: .configured) ?? true
            lastChecked = try container.decodeIfPresent(Timestamp.self, forKey: .lastChecked)
            lastChange = try container.decodeIfPresent(Timestamp.self, forKey: .lastChange)
            let extra = try decoder.container(keyedBy: AnyKey.self)
            var details: [String: String] = [:]
            for key in extra.allKeys where CodingKeys(rawValue: key.stringValue) == nil {
                if let value = try? extra.decode(String.self, forKey: key) { details[key.stringValue] = value }
            }
            self.details = details
        }
    }

    public var node: String
    public var version: String
    public var overall: HealthState
    public var ready: Bool
    public var passes: Int
    public var lastPass: Timestamp?
    public var checks: [String: Check]
    /// The order to show `checks` in (JSON objects have none).
    public var order: [String]
    /// The fleet pass; absent when this agent does not campaign for it.
    public var fleet: FleetReport?

    public init(_ snapshot: HealthSnapshot) {
        node = snapshot.node
        version = snapshot.version
        overall = snapshot.overall
        ready = snapshot.ready
        passes = snapshot.passes
        lastPass = snapshot.lastPass
        checks = Dictionary(uniqueKeysWithValues: snapshot.checks.map { ($0.name, Check($0)) })
        order = snapshot.checks.map(\.name)
        fleet = snapshot.fleet
    }

    /// Pretty-printed with sorted keys: stable output that people read with `curl` and diff.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Every field is a string, bool, int or timestamp: encoding cannot fail.
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) throws -> StatusDocument {
        try JSONDecoder().decode(StatusDocument.self, from: Data(bytes))
    }

    /// The checks in display order.
    public var orderedChecks: [(name: String, check: Check)] {
        let named = order.compactMap { name in checks[name].map { (name, $0) } }
        let rest = checks.keys.filter { !order.contains($0) }.sorted().map { ($0, checks[$0]!) }
        return named + rest
    }
}
