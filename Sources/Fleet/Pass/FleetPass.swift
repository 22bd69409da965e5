import Cloudflare
import HTTP
import Headscale
import Lifecycle
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One reconcile pass for the whole tailnet scope (`charon-node fleet`):
///
/// 1. resolves `HEADSCALE_USER` and reads **one** node list for the scope (the user's nodes, plus
///    the tag-owned nodes with exactly `AUTHKEY_TAGS`); if either fails, or the list is cut off,
///    the pass stops there and changes nothing;
/// 2. deletes the nodes in scope that are offline and last seen longer ago than `OFFLINE_NODE_TTL`
///    (``OfflineNodeSweep``); a node whose delete failed stays, records included;
/// 3. lists the zone once (pages of 5,000) and plans the record changes (``ZonePlanner``);
/// 4. sends them in `POST …/dns_records/batch` calls of at most `FLEET_BATCH_SIZE` operations.
///    Each batch is one transaction: a failed batch changed nothing, and the next pass, which
///    lists again, retries it. A pass with nothing to change writes nothing.
///
/// ```swift
/// let pass = FleetPass(configuration: try FleetConfiguration.resolve(environment: environment))
/// let summary = await pass.run()
/// print(summary)
/// ```
public struct FleetPass: Sendable {
    public let configuration: FleetConfiguration
    public let headscale: HeadscaleClient
    /// nil without a Cloudflare token: the pass only sweeps nodes.
    public let cloudflare: CloudflareClient?
    let logger: Logger

    public init(configuration: FleetConfiguration, http: HTTPClient? = nil, logger: Logger = Logger(label: "charon.fleet")) {
        let lifecycle = configuration.lifecycle
        let http = http ?? HTTPClient(configuration: HTTPClient.Configuration(userAgent: "charon-fleet"), logger: logger)
        self.configuration = configuration
        self.headscale = HeadscaleClient(baseURL: lifecycle.headscaleURL, apiKey: lifecycle.headscaleAPIKey, http: http, logger: logger)
        self.cloudflare = lifecycle.cloudflare.map {
            CloudflareClient(baseURL: $0.apiURL, zoneID: $0.zoneID, token: $0.token, pageSize: configuration.pageSize, http: http, logger: logger)
        }
        self.logger = logger
    }

    /// Runs the pass at `now` (seconds since the epoch; the TTL is measured against it). Never
    /// throws: failures are named in the summary's `failures`.
    public func run(now: Int64 = Self.wallClockNow()) async -> FleetSummary {
        var summary = FleetSummary()
        let scope = configuration.scope
        let lifecycle = configuration.lifecycle

        // 1. Who is in scope. Resolving the user first means a wrong key or user name stops the
        //    pass before an empty list could make every record look abandoned.
        let nodes: [HeadscaleNode]
        do {
            summary.headscaleCalls += 1
            _ = try await headscale.user(named: lifecycle.headscaleUser)
            summary.headscaleCalls += 1
            nodes = try await scope.nodes(from: headscale)
        } catch {
            summary.failures.append("Headscale node list: \(error); nothing swept, no DNS change")
            return summary
        }
        summary.nodesSeen = nodes.count

        // 2. Sweep.
        let sweep = OfflineNodeSweep(ttl: configuration.offlineNodeTTL)
        var remaining = nodes
        let stale: [HeadscaleNode]
        if let found = sweep.staleNodes(in: nodes, now: now) {
            stale = found
        } else {
            stale = []
            let count = nodes.filter { sweep.isStale($0, now: now) }.count
            summary.failures.append(
                "\(count) of \(nodes.count) nodes in scope look offline past OFFLINE_NODE_TTL: more than half at once, so none was swept (a Headscale back from an outage looks like this); delete them by hand if they really are gone"
            )
        }
        for node in stale {
            if Task.isCancelled { break }
            do {
                summary.headscaleCalls += 1
                try await headscale.deleteNode(id: node.id)
                remaining.removeAll { $0.id == node.id }
                summary.swept += 1
                logger.info("swept Headscale node \(node.name) (id \(node.id), offline, last seen \(node.lastSeen ?? "?"))")
            } catch {
                summary.failures.append("delete of Headscale node \(node.name) (id \(node.id)): \(error)")
                // Headscale is in trouble: stop deleting; the nodes left keep their records.
                break
            }
        }

        // 3. + 4. DNS.
        guard let cloudflare, let domain = lifecycle.domainName else {
            summary.dnsSkipped = true
            return summary
        }
        let records: [DNSRecord]
        do {
            let listing = try await cloudflare.zoneRecords(perPage: configuration.pageSize)
            summary.cloudflareCalls += listing.requests
            records = listing.records
        } catch {
            summary.cloudflareCalls += 1
            summary.failures.append("Cloudflare zone listing: \(error); no DNS change")
            return summary
        }
        let plan = ZonePlanner(domain: domain, ownerID: lifecycle.ownerID).plan(nodes: remaining, records: records)
        summary.foreignNames = plan.foreignNames
        summary.invalidNames = plan.invalidNames
        if !plan.foreignNames.isEmpty {
            // One line per pass, not one per name: a looping pass would repeat them every interval.
            let shown = plan.foreignNames.prefix(10).joined(separator: ", ")
            let more = plan.foreignNames.count > 10 ? " (+\(plan.foreignNames.count - 10) more)" : ""
            logger.info("left alone, held by records this tool does not own: \(shown)\(more)")
        }
        for (batch, changes) in plan.batches(limit: configuration.batchSize, ttl: lifecycle.dnsTTL, marker: configuration.marker) {
            if Task.isCancelled {
                summary.failures.append("cancelled before every batch was sent")
                break
            }
            do {
                summary.cloudflareCalls += 1
                summary.batches += 1
                _ = try await cloudflare.applyBatch(batch)
            } catch CloudflareError.api(let request, let status, let errors) {
                // Refused: the transaction applied none of it. The next pass lists and retries.
                let error = CloudflareError.api(request: request, status: status, errors: errors)
                summary.failures.append("Cloudflare refused a batch of \(batch.count) operations, none applied: \(error)")
                continue
            } catch {
                // Rate limit, refused token, no answer (maybe applied, maybe not: the next listing
                // tells): the next batches would fare no better.
                summary.failures.append("Cloudflare batch of \(batch.count) operations not confirmed: \(error)")
                break
            }
            for change in changes {
                logger.info("\(change)")
                switch change.kind {
                case .create: summary.created += 1
                case .update: summary.updated += 1
                case .delete: summary.deleted += 1
                }
            }
        }
        return summary
    }

    /// Seconds since the epoch, from the wall clock.
    public static func wallClockNow() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
