import CharonSupport
import Headscale
import Lifecycle
import Logging

/// Removes what the ingress registered for this node outside it: the Headscale nodes named exactly
/// `nginx-ingress-<node>` in the join's scope (`HEADSCALE_USER`, or tag-owned with exactly
/// `AUTHKEY_TAGS`), and the A/AAAA records of `nginx-ingress-<node>.<DOMAIN_NAME>` that carry
/// charon's ownership comment. Other names, other users' nodes and records without the comment
/// stay.
///
/// ```swift
/// let configuration = try IngressLifecycleSettings.configuration(hostname: hostname, environment: environment)
/// let removal = NodeRegistrationRemoval(configuration: configuration, clients: LifecycleClients(configuration: configuration))
/// print("headscale: \(try await removal.removeRegistrations())")
/// print("dns: \(try await removal.removeRecords())")
/// ```
public struct NodeRegistrationRemoval: Sendable {
    public let configuration: LifecycleConfiguration
    public let clients: LifecycleClients
    let logger: Logger

    public init(configuration: LifecycleConfiguration, clients: LifecycleClients, logger: Logger = Logger(label: "charon.uninstall")) {
        self.configuration = configuration
        self.clients = clients
        self.logger = logger
    }

    /// The registration's name: `TS_HOSTNAME` as ``IngressLifecycleSettings`` sets it.
    var hostname: String { configuration.hostname }

    public func removeRegistrations() async throws -> UninstallOutcome {
        // Resolve the user first: a wrong API key or user fails before anything is deleted.
        _ = try await clients.headscale.user(named: configuration.headscaleUser)
        let deleted = try await StaleNodeCleaner(headscale: clients.headscale, scope: configuration.scope, logger: logger)
            .removeStaleNodes(hostname: hostname)
        guard !deleted.isEmpty else {
            return .alreadyDone("no Headscale node named \(hostname) for \(Self.describe(configuration.scope))")
        }
        let ids = deleted.map { "id \($0.id)" }.joined(separator: ", ")
        return .done("deleted Headscale node \(hostname) (\(ids)) of \(Self.describe(configuration.scope))")
    }

    /// Skipped without a Cloudflare token and `DOMAIN_NAME`.
    public func removeRecords() async throws -> UninstallOutcome {
        guard let keeper = clients.recordKeeper, let fqdn = configuration.fqdn else {
            return .skipped("no Cloudflare settings (CLOUDFLARE_API_TOKEN[_FILE], CLOUDFLARE_ZONE_ID, DOMAIN_NAME)")
        }
        let (deleted, left) = try await keeper.removeOwnedRecords()
        let kept = left == 0 ? "" : "; kept \(left) record(s) of that name without charon's ownership comment"
        guard !deleted.isEmpty else { return .alreadyDone("no record of \(fqdn) owned by charon\(kept)") }
        let what = deleted.map { action in
            if case .deleted(let type, let content, _) = action { return "\(type) \(content)" }
            return action.description
        }
        return .done("deleted \(what.joined(separator: ", ")) of \(fqdn)\(kept)")
    }

    static func describe(_ scope: NodeScope) -> String {
        scope.tags.isEmpty ? "user \(scope.user)" : "user \(scope.user) or tags \(scope.tags.joined(separator: ","))"
    }
}
