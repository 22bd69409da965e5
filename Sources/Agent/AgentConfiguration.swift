import CharonSupport
import Containerd
import Kubernetes
import OCI

/// Everything `charon-node agent` is told: what to build, where containerd is, how often to
/// reconcile, where to serve status, and how to report.
///
/// ```swift
/// var configuration = AgentConfiguration(spec: "images/tailscale-lifecycle",
///                                        builderOptions: .init(output: "/var/lib/charon-node/tailscale-lifecycle-image.tar"),
///                                        containerd: ContainerdClient(), node: "node1")
/// configuration.interval = .seconds(60)
/// ```
public struct AgentConfiguration: Sendable {
    /// Image spec folder or file.
    public var spec: String
    public var builderOptions: ImageBuilder.Options
    /// A `charon-node` executable that builds in a child process (`image build`), so the daemon
    /// never maps the spec parser and the layer writer (docs/agent.md, memory); `nil`: in-process.
    public var buildExecutable: String?
    public var containerd: ContainerdClient
    /// This node's name (`NODE_NAME`): the Node object to patch, the `node` in `/status`.
    public var node: String
    /// Time between passes; each wait is jittered by ±10% so a fleet does not act in lockstep.
    public var interval: Duration = .seconds(NodeSetting.agentInterval.defaultNumber)
    /// Time to the next pass after one that failed: recovery should not wait a full interval.
    public var retryInterval: Duration = .seconds(NodeSetting.agentRetryInterval.defaultNumber)
    /// Where the status server listens (`:9102`, `127.0.0.1:9102`, `[::1]:9102`); `nil`: no server.
    public var statusAddress: StatusAddress? = StatusAddress(host: "0.0.0.0", port: NodeSetting.statusPort)
    /// Longest a single check may take before it counts as failed.
    public var checkTimeout: Duration = .seconds(30)
    /// A pass running longer than this means the loop is wedged: `/healthz` fails, the watchdog stops.
    public var stallLimit: Duration = .seconds(600)
    /// On SIGTERM, how long the pass in flight may take to finish before it is abandoned. The
    /// build writes to a temporary file and renames, so abandoning never harms the tarball.
    public var shutdownGrace: Duration = .seconds(NodeSetting.shutdownGrace.defaultNumber)
    /// Free space the tarball's folder must keep (the disk check).
    public var minimumFreeBytes: Int64 = Int64(NodeSetting.minimumFreeDisk.defaultNumber) << 20
    /// Node conditions are re-sent this often even when nothing changed (their heartbeat).
    public var conditionHeartbeat: Duration = .seconds(NodeSetting.conditionHeartbeat.defaultNumber)
    /// Kubernetes API access for Node conditions; `nil` off Kubernetes.
    public var kubernetes: KubernetesConfiguration?
    /// systemd's notification socket (`NOTIFY_SOCKET`) and watchdog period (`WATCHDOG_USEC`).
    public var systemd: SystemdEnvironment?
    /// The fleet pass on the leader of the `charon-node-fleet` Lease (`FLEET_ENABLED`); `nil`: off.
    public var fleet: FleetAgentConfiguration?

    public init(spec: String, builderOptions: ImageBuilder.Options, containerd: ContainerdClient, node: String) {
        self.spec = spec
        self.builderOptions = builderOptions
        self.containerd = containerd
        self.node = node
    }
}
