import Agent
import ArgumentParser
import Fleet
import Kubernetes
import Lifecycle

/// `charon-node agent --fleet`: every agent campaigns for the Lease `charon-node-fleet`, and the
/// one holding it runs the fleet pass every `FLEET_INTERVAL`. Off by default.
struct FleetAgentOptions: ParsableArguments {
    @Flag(name: .setting(.fleetEnabled), inversion: .prefixedNo, help: ArgumentHelp(NodeSetting.fleetEnabled.help))
    var enabled: Bool = Environment.fleetEnabled

    @Option(
        name: .setting(.fleetLeaseDuration),
        help: ArgumentHelp(NodeSetting.fleetLeaseDuration.help, valueName: NodeSetting.fleetLeaseDuration.valueName)
    )
    var fleetLeaseDuration: String = Environment.fleetLeaseDuration

    @Option(name: .setting(.podNamespace), help: ArgumentHelp(NodeSetting.podNamespace.help, valueName: NodeSetting.podNamespace.valueName))
    var fleetNamespace: String = Environment.podNamespace

    /// The fleet service's settings; nil when off. Bad settings exit 2.
    func configuration(node: String, kubernetes: KubernetesConfiguration?) throws -> FleetAgentConfiguration? {
        if let raw = Environment.value(.fleetEnabled), !Environment.booleans.contains(raw.lowercased()) {
            return try CommandFailure.checkingInput { throw ConfigurationError("FLEET_ENABLED=\(raw) is not true or false") }
        }
        guard enabled else { return nil }
        return try CommandFailure.checkingInput {
            guard let kubernetes else {
                throw ConfigurationError(
                    "FLEET_ENABLED=true needs the Kubernetes API (in-cluster service account) for its Lease; on a bare host use charon-fleet.timer"
                )
            }
            guard let seconds = Int(fleetLeaseDuration), (15...3600).contains(seconds) else {
                throw ConfigurationError("FLEET_LEASE_DURATION=\(fleetLeaseDuration) is not a whole number of seconds in 15...3600")
            }
            let fleet = try FleetConfiguration.resolve(environment: Environment.all)
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            return FleetAgentConfiguration(
                fleet: fleet,
                kubernetes: kubernetes,
                namespace: fleetNamespace,
                identity: "\(node)_\(suffix)",
                timing: LeaderElector.Timing(leaseDuration: .seconds(seconds))
            )
        }
    }
}
