import CharonSupport
import Kubernetes
import Logging
import Synchronization

/// Reports each configured check as a condition of this node's Node object, the way
/// node-problem-detector does: type `Charon<Check>Problem`, status `True` when the check fails.
///
/// It PATCHes only when a condition changed (`ok` or `reason`) plus a slow heartbeat, so a
/// thousand nodes add a request each per heartbeat to the API server, not one per pass. A failed
/// PATCH is retried on the next pass. The heartbeat is measured on `clock`.
///
/// ```swift
/// let reporter = NodeConditionReporter(client: KubernetesClient(configuration: configuration), node: "node1",
///                                      heartbeat: .seconds(300), metrics: metrics)
/// ```
public final class NodeConditionReporter: HealthObserver {
    let client: KubernetesClient
    let node: String
    let heartbeat: Duration
    let metrics: AgentMetrics
    let clock: any CharonClock
    let logger: Logger

    struct Sent: Equatable {
        var states: [String: String]
        var at: ContinuousClock.Instant
        var failing: Bool
    }

    private let sent = Mutex<Sent?>(nil)

    public init(
        client: KubernetesClient,
        node: String,
        heartbeat: Duration,
        metrics: AgentMetrics,
        clock: any CharonClock = RealClock(),
        logger: Logger = Logger(label: "charon.agent.kubernetes")
    ) {
        self.client = client
        self.node = node
        self.heartbeat = heartbeat
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    /// `containerd` → `CharonContainerdProblem`.
    public static func conditionType(for check: String) -> String {
        let words = check.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return "Charon" + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Problem"
    }

    public static func conditions(for snapshot: HealthSnapshot, at now: Timestamp) -> [NodeCondition] {
        snapshot.checks.filter { $0.configured && $0.lastChecked != nil }.map { entry in
            NodeCondition(
                type: conditionType(for: entry.name),
                status: entry.result.ok ? .false : .true,
                reason: entry.result.reason,
                // Kubernetes shows messages in `kubectl describe node`; keep them one short line.
                message: String(entry.result.message.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(1024)),
                lastHeartbeatTime: now.rfc3339,
                lastTransitionTime: (entry.lastChange ?? now).rfc3339
            )
        }
    }

    public func healthDidUpdate(_ snapshot: HealthSnapshot, changed: Set<String>) async {
        let conditions = Self.conditions(for: snapshot, at: .now)
        guard !conditions.isEmpty else { return }
        let states = Dictionary(uniqueKeysWithValues: conditions.map { ($0.type, "\($0.status.rawValue)/\($0.reason)") })
        let now = clock.now
        let last = sent.withLock { $0 }
        if let last, !last.failing, last.states == states, last.at.duration(to: now) < heartbeat { return }
        do {
            try await client.patchNodeConditions(node: node, conditions)
            metrics.nodeConditionsPatched(succeeded: true)
            if last?.failing == true { logger.notice("Node \(node) conditions patched again") }
            sent.withLock { $0 = Sent(states: states, at: now, failing: false) }
        } catch {
            metrics.nodeConditionsPatched(succeeded: false)
            // One warning per outage, not one per pass.
            if last?.failing != true { logger.warning("cannot patch the conditions of Node \(node): \(error); retrying every pass") }
            sent.withLock { $0 = Sent(states: last?.states ?? [:], at: last?.at ?? now, failing: true) }
        }
    }
}
