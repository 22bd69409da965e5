import Fleet
import Kubernetes

/// What the agent needs to run the fleet pass on one node of the cluster at a time: the pass's
/// settings, the Kubernetes API, and the Lease the agents elect a leader with.
///
/// ```swift
/// configuration.fleet = FleetAgentConfiguration(fleet: try FleetConfiguration.resolve(environment: env),
///                                               kubernetes: kubernetes, namespace: "charon-system", identity: "node1_3f9a2c")
/// ```
public struct FleetAgentConfiguration: Sendable {
    /// The Lease's name.
    public static let leaseName = "charon-node-fleet"

    public var fleet: FleetConfiguration
    public var kubernetes: KubernetesConfiguration
    /// The agent's namespace (`POD_NAMESPACE`), where the Lease lives.
    public var namespace: String
    /// This agent in `holderIdentity`: unique per process.
    public var identity: String
    public var timing: LeaderElector.Timing

    public init(
        fleet: FleetConfiguration,
        kubernetes: KubernetesConfiguration,
        namespace: String,
        identity: String,
        timing: LeaderElector.Timing = .init(leaseDuration: .seconds(60))
    ) {
        self.fleet = fleet
        self.kubernetes = kubernetes
        self.namespace = namespace
        self.identity = identity
        self.timing = timing
    }
}
