import CharonSupport
import Cloudflare
import Headscale
import Logging

/// `charon-lifecycle dns-create`, the sidecar: waits for the service's node to register, then
/// keeps its DNS records right until cancelled (SIGTERM). Headscale is polled every
/// `MONITOR_INTERVAL`; Cloudflare is read only when the address changed and on a jittered
/// `DNS_RECHECK_INTERVAL` (never, with `FLEET_MANAGED_DNS=true`: the fleet pass re-checks the
/// whole zone), so a quiet fleet spends almost none of the shared rate budget.
///
/// ```swift
/// let task = Task { try await DNSCreateWorkflow(configuration: configuration).run() }
/// // on SIGTERM: task.cancel()
/// ```
public struct DNSCreateWorkflow: Sendable {
    public let configuration: LifecycleConfiguration
    public let clients: LifecycleClients
    /// Measures and sleeps every interval (`RETRY_INTERVAL`, `MONITOR_INTERVAL`, re-checks, rate limits).
    public let clock: any CharonClock
    let logger: Logger

    public init(
        configuration: LifecycleConfiguration,
        clients: LifecycleClients? = nil,
        clock: any CharonClock = RealClock(),
        logger: Logger = Logger(label: "charon.lifecycle")
    ) {
        self.configuration = configuration
        self.clients = clients ?? LifecycleClients(configuration: configuration, logger: logger)
        self.clock = clock
        self.logger = logger
    }

    var scope: NodeScope { configuration.scope }

    /// Runs until the task is cancelled (returns by throwing `CancellationError`) or a failure
    /// that waiting cannot fix (the node never registered, a refused credential).
    public func run() async throws {
        let node = try await waitForNode()
        var addresses = Addresses(node)
        var nodeID = node.id
        logger.info("node \(node.name) registered (id \(node.id)): \(addresses)")
        guard let keeper = clients.recordKeeper else {
            logger.info("CLOUDFLARE_API_TOKEN not set: DNS steps skipped; idling until stopped")
            while true { try await clock.sleep(for: .seconds(3600)) }
        }
        var pending = true
        var nextRecheck = clock.now
        var missingReported = false
        // Set by a 429 the HTTP client could not wait out: nothing goes to Cloudflare before it.
        var notBefore = clock.now
        while true {
            if (pending || (!configuration.fleetManagedDNS && clock.now >= nextRecheck)) && clock.now >= notBefore {
                do {
                    try await keeper.reconcile(ipv4: addresses.ipv4, ipv6: addresses.ipv6)
                    pending = false
                    nextRecheck = clock.now + jittered(configuration.dnsRecheckInterval)
                } catch let error as CloudflareError where error.isUnauthorized {
                    throw error
                } catch CloudflareError.rateLimited(_, let retryAfter) {
                    // The budget is the fleet's: wait as asked before the next try, not just a tick.
                    let wait = max(retryAfter ?? configuration.dnsRecheckInterval, configuration.monitorInterval)
                    logger.warning("\(configuration.fqdn ?? ""): Cloudflare rate limit; next DNS check in \(wait)")
                    notBefore = clock.now + wait
                } catch {
                    try Task.checkCancellation()
                    // Try again at the next monitor tick.
                    logger.warning("\(configuration.fqdn ?? ""): DNS check failed, retrying in \(configuration.monitorInterval): \(error)")
                }
            }
            try await clock.sleep(for: configuration.monitorInterval)
            do {
                guard let current = try await currentNode(knownID: nodeID) else {
                    if !missingReported {
                        logger.warning("node \(configuration.hostname) is no longer in Headscale; keeping its records as they are")
                        missingReported = true
                    }
                    continue
                }
                missingReported = false
                nodeID = current.id
                let now = Addresses(current)
                if now != addresses, now.ipv4 != nil || now.ipv6 != nil {
                    logger.info("node \(current.name) address changed: \(addresses) -> \(now)")
                    addresses = now
                    pending = true
                }
            } catch let error as HeadscaleError where error.isUnauthorized {
                throw error
            } catch {
                try Task.checkCancellation()
                logger.warning("cannot read node \(configuration.hostname) from Headscale: \(error)")
            }
        }
    }

    /// Polls Headscale up to `MAX_RETRIES` times, `RETRY_INTERVAL` apart, for the node with an address.
    public func waitForNode() async throws -> HeadscaleNode {
        for check in 1...configuration.maxRetries {
            do {
                if let node = try await findNode(), !node.ipAddresses.isEmpty { return node }
            } catch let error as HeadscaleError where error.isUnauthorized {
                throw error
            } catch {
                try Task.checkCancellation()
                logger.warning("cannot list Headscale nodes: \(error)")
            }
            if check == configuration.maxRetries { break }
            if check == 1 || check % 10 == 0 {
                logger.info("waiting for node \(configuration.hostname) to register (check \(check) of \(configuration.maxRetries))")
            }
            try await clock.sleep(for: configuration.retryInterval)
        }
        throw LifecycleError(
            "node \(configuration.hostname) did not register in Headscale after \(configuration.maxRetries) checks \(configuration.retryInterval) apart"
        )
    }

    /// The node by its known id (one node's bytes per poll, however large the tailnet); when that
    /// id is gone or no longer the service's (re-registered, renamed, moved), searched again by name.
    func currentNode(knownID: String) async throws -> HeadscaleNode? {
        if let node = try await clients.headscale.node(id: knownID), scope.isService(node, hostname: configuration.hostname) {
            return node
        }
        return try await findNode()
    }

    /// The service's node: if several carry the name (a stale one not yet cleaned), the online
    /// one, then the newest (highest id).
    func findNode() async throws -> HeadscaleNode? {
        let candidates = try await scope.serviceNodes(from: clients.headscale, hostname: configuration.hostname)
        return candidates.max { left, right in
            if left.online != right.online { return !left.online }
            return (UInt64(left.id) ?? 0) < (UInt64(right.id) ?? 0)
        }
    }

    /// ±20 %, so pods started together do not re-check Cloudflare together.
    func jittered(_ interval: Duration) -> Duration {
        interval * Double.random(in: 0.8...1.2)
    }
}
