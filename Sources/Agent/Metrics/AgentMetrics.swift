import CharonSupport
import CoreMetrics
import Fleet
import Metrics
import Prometheus

/// Everything `/metrics` shows, recorded through swift-metrics into this agent's own Prometheus
/// registry. Names follow Prometheus conventions: `charon_agent_` prefix, base units (seconds,
/// bytes), `_total` on counters, state as labelled 0/1 gauges.
///
/// ```swift
/// let metrics = AgentMetrics()
/// metrics.passFinished(succeeded: true, duration: .milliseconds(40))
/// let text = metrics.exposition()  // "# HELP charon_agent_reconcile_passes_total …"
/// ```
public final class AgentMetrics: Sendable {
    static let help: [String: String] = [
        "charon_agent_build_info": "Always 1; the version label says which charon-node runs.",
        "charon_agent_reconcile_passes_total": "Reconcile passes finished, by result.",
        "charon_agent_reconcile_duration_seconds": "Time one reconcile pass took.",
        "charon_agent_image_build_duration_seconds": "Time building the lifecycle image took, by outcome (written, unchanged, identical).",
        "charon_agent_image_built_bytes_total": "Bytes of image tarball written by builds that produced a new file.",
        "charon_agent_image_import_duration_seconds": "Time importing the lifecycle image into containerd took.",
        "charon_agent_image_imported_bytes_total": "Bytes of image tarball imported into containerd.",
        "charon_agent_image_imports_total": "Imports of the lifecycle image into containerd (missing or drifted image).",
        "charon_agent_image_size_bytes": "Size of the lifecycle image tarball on disk.",
        "charon_agent_check_ok": "1 when the check passes, 0 when it fails, by check.",
        "charon_agent_check_last_change_timestamp_seconds": "Unix time the check last changed state, by check.",
        "charon_agent_health_state": "1 for the node's current overall state (healthy, degraded, unhealthy), 0 for the others.",
        "charon_agent_ready": "1 when the lifecycle image is imported with the expected digest and pinned.",
        "charon_agent_node_condition_patches_total": "PATCHes of this node's conditions to the Kubernetes API, by result.",
        "charon_agent_startup_pages_released_bytes": "Resident bytes handed back to the kernel after the first pass (pages touched only at start).",
        "charon_agent_fleet_leader": "1 while this agent holds the fleet Lease and runs the fleet pass, else 0.",
        "charon_agent_fleet_passes_total": "Fleet passes this agent ran, by result.",
        "charon_agent_fleet_pass_duration_seconds": "Time one fleet pass took.",
        "charon_agent_fleet_last_success_timestamp_seconds": "Unix time of the last fleet pass this agent finished without a failure.",
        "charon_agent_fleet_nodes_swept_total": "Offline service nodes the fleet pass deleted from Headscale.",
        "charon_agent_fleet_records_changed_total": "DNS records the fleet pass wrote, by operation (created, updated, deleted).",
        "charon_agent_fleet_api_requests_total": "Requests the fleet pass sent, by API (headscale, cloudflare).",
        "charon_agent_fleet_foreign_names": "Names the last fleet pass found held by DNS records charon does not own.",
    ]

    let registry: PrometheusCollectorRegistry
    private let factory: DescribedMetricsFactory
    private let passesSucceeded: CoreMetrics.Counter
    private let passesFailed: CoreMetrics.Counter
    private let passDuration: CoreMetrics.Timer
    private let importDuration: CoreMetrics.Timer
    private let imports: CoreMetrics.Counter
    private let importedBytes: CoreMetrics.Counter
    private let builtBytes: CoreMetrics.Counter
    private let imageSize: CoreMetrics.Gauge
    private let ready: CoreMetrics.Gauge
    private let patchesSucceeded: CoreMetrics.Counter
    private let patchesFailed: CoreMetrics.Counter
    private let healthStates: [HealthState: CoreMetrics.Gauge]
    private let startupPagesReleased: CoreMetrics.Gauge

    public init(version: String = CharonVersion.current) {
        registry = PrometheusCollectorRegistry()
        // Reconcile steps are milliseconds when nothing changed and seconds when building.
        factory = DescribedMetricsFactory(
            registry: registry,
            help: Self.help,
            durationBuckets: [
                .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            ]
        )
        CoreMetrics.Gauge(label: "charon_agent_build_info", dimensions: [("version", version)], factory: factory).record(1)
        passesSucceeded = CoreMetrics.Counter(label: "charon_agent_reconcile_passes_total", dimensions: [("result", "success")], factory: factory)
        passesFailed = CoreMetrics.Counter(label: "charon_agent_reconcile_passes_total", dimensions: [("result", "failure")], factory: factory)
        passDuration = CoreMetrics.Timer(label: "charon_agent_reconcile_duration_seconds", factory: factory)
        importDuration = CoreMetrics.Timer(label: "charon_agent_image_import_duration_seconds", factory: factory)
        imports = CoreMetrics.Counter(label: "charon_agent_image_imports_total", factory: factory)
        importedBytes = CoreMetrics.Counter(label: "charon_agent_image_imported_bytes_total", factory: factory)
        builtBytes = CoreMetrics.Counter(label: "charon_agent_image_built_bytes_total", factory: factory)
        imageSize = CoreMetrics.Gauge(label: "charon_agent_image_size_bytes", factory: factory)
        ready = CoreMetrics.Gauge(label: "charon_agent_ready", factory: factory)
        ready.record(0)
        patchesSucceeded = CoreMetrics.Counter(
            label: "charon_agent_node_condition_patches_total",
            dimensions: [("result", "success")],
            factory: factory
        )
        patchesFailed = CoreMetrics.Counter(label: "charon_agent_node_condition_patches_total", dimensions: [("result", "failure")], factory: factory)
        var states: [HealthState: CoreMetrics.Gauge] = [:]
        for state in HealthState.allCases {
            states[state] = CoreMetrics.Gauge(label: "charon_agent_health_state", dimensions: [("state", state.rawValue)], factory: factory)
        }
        healthStates = states
        startupPagesReleased = CoreMetrics.Gauge(label: "charon_agent_startup_pages_released_bytes", factory: factory)
    }

    public func passFinished(succeeded: Bool, duration: Duration) {
        (succeeded ? passesSucceeded : passesFailed).increment()
        passDuration.record(duration: duration)
    }

    /// One build; `writtenBytes` is the tarball size when the build wrote a new file, else 0.
    public func imageBuilt(outcome: String, duration: Duration, size: Int64, writtenBytes: Int64) {
        CoreMetrics.Timer(label: "charon_agent_image_build_duration_seconds", dimensions: [("outcome", outcome)], factory: factory)
            .record(duration: duration)
        imageSize.record(size)
        if writtenBytes > 0 { builtBytes.increment(by: writtenBytes) }
    }

    public func imageImported(duration: Duration, bytes: Int64) {
        imports.increment()
        importedBytes.increment(by: bytes)
        importDuration.record(duration: duration)
    }

    public func startupPagesReleased(bytes: Int64) {
        startupPagesReleased.record(bytes)
    }

    public func nodeConditionsPatched(succeeded: Bool) {
        (succeeded ? patchesSucceeded : patchesFailed).increment()
    }

    /// Whether this agent leads the fleet pass now (the gauge exists only on agents that campaign).
    public func fleetLeading(_ leading: Bool) {
        CoreMetrics.Gauge(label: "charon_agent_fleet_leader", factory: factory).record(leading ? 1 : 0)
    }

    /// One fleet pass: its result, time, what it changed and what it cost.
    public func fleetPassFinished(_ summary: FleetSummary, duration: Duration, at time: Timestamp) {
        let result = summary.succeeded ? "success" : "failure"
        CoreMetrics.Counter(label: "charon_agent_fleet_passes_total", dimensions: [("result", result)], factory: factory).increment()
        CoreMetrics.Timer(label: "charon_agent_fleet_pass_duration_seconds", factory: factory).record(duration: duration)
        if summary.succeeded {
            CoreMetrics.Gauge(label: "charon_agent_fleet_last_success_timestamp_seconds", factory: factory).record(time.seconds)
        }
        CoreMetrics.Counter(label: "charon_agent_fleet_nodes_swept_total", factory: factory).increment(by: summary.swept)
        for (operation, count) in [("created", summary.created), ("updated", summary.updated), ("deleted", summary.deleted)] {
            CoreMetrics.Counter(label: "charon_agent_fleet_records_changed_total", dimensions: [("operation", operation)], factory: factory)
                .increment(by: count)
        }
        for (api, count) in [("headscale", summary.headscaleCalls), ("cloudflare", summary.cloudflareCalls)] {
            CoreMetrics.Counter(label: "charon_agent_fleet_api_requests_total", dimensions: [("api", api)], factory: factory).increment(by: count)
        }
        CoreMetrics.Gauge(label: "charon_agent_fleet_foreign_names", factory: factory).record(summary.foreignNames.count)
    }

    /// Mirrors a snapshot into the state gauges.
    public func record(_ snapshot: HealthSnapshot) {
        for entry in snapshot.checks where entry.configured {
            CoreMetrics.Gauge(label: "charon_agent_check_ok", dimensions: [("check", entry.name)], factory: factory)
                .record(entry.result.ok ? 1 : 0)
            if let change = entry.lastChange {
                CoreMetrics.Gauge(label: "charon_agent_check_last_change_timestamp_seconds", dimensions: [("check", entry.name)], factory: factory)
                    .record(change.seconds)
            }
        }
        for (state, gauge) in healthStates { gauge.record(state == snapshot.overall ? 1 : 0) }
        ready.record(snapshot.ready ? 1 : 0)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }
}
