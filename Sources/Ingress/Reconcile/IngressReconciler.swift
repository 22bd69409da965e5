import CharonSupport
import Glibc
import Logging
import Tailscale

/// One ingress pass on a node, in order: keep the firewall in place (``Firewall``, repairing
/// drift), keep tailscaled joined (``TailnetJoin``), keep the controller's config
/// (``IngressControllerAdapter``), keep the node's DNS record (``NodeDNSRecord``), and check that
/// something listens on the ingress ports. Every part is optional, so a bare host can run the
/// firewall alone.
///
/// In the agent it is a ``NodeReconciler`` beside the image reconciler: each pass runs it once and
/// its report fills the `tailscale` and `ingress` health slots.
///
/// ```swift
/// let reconciler = IngressReconciler(parts: parts)
/// let report = await reconciler.report()        // charon-node ingress up
/// Agent(configuration: configuration, reconcilers: [reconciler])
/// ```
public struct IngressReconciler: NodeReconciler {
    /// What to reconcile; nil parts are skipped.
    public struct Parts: Sendable {
        public var hostname: IngressHostname
        public var join: TailnetJoin?
        /// Where the status comes from when there is no join (and for the report).
        public var status: any TailscaleStatusSource
        public var firewall: Firewall?
        public var controller: (any IngressControllerAdapter)?
        public var dns: NodeDNSRecord?
        public var ports: [UInt16]
        public var listeningPorts: ListeningPorts
        /// Seconds since 1970, for key-expiry messages.
        public var now: @Sendable () -> Int64

        public init(
            hostname: IngressHostname,
            join: TailnetJoin?,
            status: any TailscaleStatusSource,
            firewall: Firewall?,
            controller: (any IngressControllerAdapter)?,
            dns: NodeDNSRecord?,
            ports: [UInt16] = [80, 443],
            listeningPorts: ListeningPorts = ListeningPorts(),
            now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
        ) {
            self.hostname = hostname
            self.join = join
            self.status = status
            self.firewall = firewall
            self.controller = controller
            self.dns = dns
            self.ports = ports
            self.listeningPorts = listeningPorts
            self.now = now
        }
    }

    /// The two health results of one pass.
    public struct Report: Sendable, Equatable {
        public var tailscale: HealthCheckResult
        public var ingress: HealthCheckResult
    }

    public let parts: Parts
    let logger: Logger

    public init(parts: Parts, logger: Logger = Logger(label: "charon.ingress")) {
        self.parts = parts
        self.logger = logger
    }

    /// Runs one pass and returns its two results.
    public func report() async -> Report {
        await Self.pass(parts, logger: logger)
    }

    public var checkNames: [String] { [HealthCheckName.tailscale, HealthCheckName.ingress] }

    public func reconcile() async -> [String: HealthCheckResult] {
        let report = await report()
        return [HealthCheckName.tailscale: report.tailscale, HealthCheckName.ingress: report.ingress]
    }

    static func pass(_ parts: Parts, logger: Logger) async -> Report {
        // Ingress results: each part adds a note, the first failure decides the reason.
        var notes: [String] = []
        var failure: (message: String, reason: String)?
        func fail(_ message: String, _ reason: String) {
            notes.append(message)
            if failure == nil { failure = (message, reason) }
        }

        // 1. The firewall first: it protects ports 80/443 whatever state tailscaled is in, and a
        // slow join must not delay it.
        if let firewall = parts.firewall {
            do {
                let before = try await firewall.reconcile(logger: logger)
                notes.append(before == .inPlace ? "firewall in place" : "firewall repaired (was \(before))")
            } catch {
                fail("firewall: \(error)", "FirewallFailed")
            }
        }

        // 2. Tailnet.
        var tailscale: HealthCheckResult
        var addresses: [String] = []
        var joinError: (any Error)?
        if let join = parts.join {
            do {
                _ = try await join.reconcile(logger: logger)
            } catch {
                joinError = error
                // Named in the ingress slot too: it is why the node has no DNS record and no
                // tailnet traffic, and the slot operators alert on.
                fail("tailnet join: \(error)", (error as? TailnetJoinError)?.reason ?? "TailnetJoinFailed")
            }
        }
        do {
            let status = try await parts.status.status()
            tailscale = Self.tailscaleResult(status, hostname: parts.hostname, now: parts.now(), joinError: joinError)
            if tailscale.ok { addresses = status.addresses }
        } catch {
            tailscale = .failed("cannot read tailscaled's status: \(error)", reason: "TailscaleUnreachable")
        }

        // 3. Ports, controller config, DNS.
        let listening = parts.listeningPorts.listening()
        let missing = parts.ports.filter { !listening.contains($0) }
        if parts.ports.isEmpty {
            // Nothing to look for (a bare host running the firewall alone).
        } else if missing.isEmpty {
            notes.append("listening on \(parts.ports.map(String.init).joined(separator: ", "))")
        } else {
            fail("nothing listens on port \(missing.map(String.init).joined(separator: ", "))", "IngressNotListening")
        }
        if let controller = parts.controller {
            do {
                switch try await controller.reconcile() {
                case .unchanged: notes.append("\(controller.target) as desired")
                case .patched(let keys):
                    notes.append("\(controller.target): set \(keys.joined(separator: ", "))")
                    logger.notice("\(controller.target): set \(keys.joined(separator: ", "))")
                case .created:
                    notes.append("\(controller.target): created")
                    logger.notice("\(controller.target): created")
                }
            } catch {
                fail("\(controller.target): \(error)", "ControllerConfigFailed")
            }
        }
        if let dns = parts.dns, dns.isConfigured {
            if addresses.isEmpty {
                fail("DNS \(dns.fqdn ?? "") not updated: the node is not on the tailnet", "DNSWaitingForTailnet")
            } else {
                do {
                    let actions = try await dns.reconcile(addresses: addresses)
                    notes.append(
                        actions.isEmpty
                            ? "DNS \(dns.fqdn ?? "") up to date" : "DNS \(dns.fqdn ?? ""): \(actions.map(\.description).joined(separator: ", "))"
                    )
                } catch {
                    fail("DNS \(dns.fqdn ?? ""): \(error)", "DNSFailed")
                }
            }
        }
        let message = notes.joined(separator: "; ")
        let ingress: HealthCheckResult = failure.map { .failed(message, reason: $0.reason) } ?? .ok(message, reason: "IngressReady")
        return Report(tailscale: tailscale, ingress: ingress)
    }

    static func tailscaleResult(_ status: TailscaleStatus, hostname: IngressHostname, now: Int64, joinError: (any Error)?) -> HealthCheckResult {
        var details = ["backendState": status.backendState.description, "hostname": hostname.value]
        if !status.addresses.isEmpty { details["addresses"] = status.addresses.joined(separator: ",") }
        if let expiry = status.node?.keyExpiry { details["keyExpiry"] = expiry }
        switch TailnetJoinDecision(status: status, now: now) {
        case .joined(let addresses):
            var message = "joined as \(status.node?.hostName ?? hostname.value) (\(addresses.joined(separator: ", ")))"
            if let expiry = status.node?.keyExpirySeconds {
                let days = (expiry - now) / 86400
                message += days < 7 ? "; node key expires in \(days) days" : "; key expires \(status.node?.keyExpiry ?? "")"
            }
            if let joinError { message += "; last join attempt: \(joinError)" }
            return .ok(message, reason: "TailscaleRunning", details: details)
        case .join(let reason, _), .bringUp(let reason), .wait(let reason):
            let cause = joinError.map { "; join failed: \($0)" } ?? ""
            return .failed("\(reason) (health: \(status.healthSummary))\(cause)", reason: "TailscaleNotRunning", details: details)
        }
    }
}
