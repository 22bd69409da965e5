import Agent
import ArgumentParser
import CharonSupport
import Kubernetes
import Logging

/// `charon-node agent`: the daemon (DaemonSet pod or systemd unit) that keeps the lifecycle image
/// in place and reports the node's health.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Keep the lifecycle image built, imported and pinned; serve and report node health.",
        discussion: """
            Every --interval seconds (jittered by ±10%) the agent builds the image (nothing is \
            rewritten when nothing changed), makes sure containerd has exactly that digest under \
            the image's name, pinned, and re-imports it when it went missing. It serves /healthz, \
            /readyz, /status and /metrics on --status-address, patches this Node's conditions when \
            running in Kubernetes, and talks sd_notify (READY, WATCHDOG, STATUS) under systemd. \
            SIGTERM lets the pass in flight finish (up to --shutdown-grace) and exits 0.

            With --once: one pass, a summary line, and the exit status 0 healthy, 1 degraded, \
            2 unhealthy.
            """
    )

    @OptionGroup var build: BuildOptions
    @OptionGroup var containerd: ContainerdOptions
    @OptionGroup(title: "Internal ingress") var ingress: IngressAgentOptions
    @OptionGroup(title: "Fleet pass") var fleet: FleetAgentOptions

    @Flag(help: "Run one reconcile pass, print the summary and exit (0 healthy, 1 degraded, 2 unhealthy).")
    var once = false

    @Option(name: .setting(.agentInterval), help: ArgumentHelp(NodeSetting.agentInterval.help, valueName: NodeSetting.agentInterval.valueName))
    var interval: Double = Environment.agentInterval

    @Option(
        name: .setting(.agentRetryInterval),
        help: ArgumentHelp(NodeSetting.agentRetryInterval.help, valueName: NodeSetting.agentRetryInterval.valueName)
    )
    var retryInterval: Double = Environment.agentRetryInterval

    @Option(name: .setting(.statusAddress), help: ArgumentHelp(NodeSetting.statusAddress.help, valueName: NodeSetting.statusAddress.valueName))
    var statusAddress: String = Environment.statusAddress

    @Option(name: .setting(.nodeName), help: ArgumentHelp(NodeSetting.nodeName.help, valueName: NodeSetting.nodeName.valueName))
    var nodeName: String = Environment.nodeName

    @Option(name: .setting(.shutdownGrace), help: ArgumentHelp(NodeSetting.shutdownGrace.help, valueName: NodeSetting.shutdownGrace.valueName))
    var shutdownGrace: Double = Environment.shutdownGrace

    @Option(
        name: .setting(.conditionHeartbeat),
        help: ArgumentHelp(NodeSetting.conditionHeartbeat.help, valueName: NodeSetting.conditionHeartbeat.valueName)
    )
    var conditionHeartbeat: Double = Environment.conditionHeartbeat

    @Option(
        name: .setting(.settingsDirectory),
        help: ArgumentHelp(NodeSetting.settingsDirectory.help, valueName: NodeSetting.settingsDirectory.valueName)
    )
    var settingsDirectory: String? = Environment.value(.settingsDirectory)

    @Option(name: .setting(.minimumFreeDisk), help: ArgumentHelp(NodeSetting.minimumFreeDisk.help, valueName: NodeSetting.minimumFreeDisk.valueName))
    var minFreeDisk: Int = Environment.minimumFreeDiskMiB

    func validate() throws {
        for (name, value) in [("--interval", interval), ("--retry-interval", retryInterval), ("--condition-heartbeat", conditionHeartbeat)]
        where !(value > 0) {
            throw ValidationError("\(name) must be a positive number of seconds")
        }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must not be negative") }
        guard minFreeDisk >= 0 else { throw ValidationError("--min-free-disk must not be negative") }
        guard !nodeName.isEmpty else { throw ValidationError("--node-name (NODE_NAME) is empty") }
        do { _ = try parsedStatusAddress() } catch { throw ValidationError("\(error)") }
    }

    /// `--status-address`: nil for `off`.
    func parsedStatusAddress() throws -> StatusAddress? {
        statusAddress == "off" ? nil : try StatusAddress(parsing: statusAddress)
    }

    func run() async throws {
        LogSetup.bootstrap()
        let agent = try await CommandFailure.reporting {
            Agent(configuration: try agentConfiguration(), reconcilers: ingress.reconcilers(node: nodeName), checks: lookingChecks())
        }
        if once {
            let snapshot = await agent.runOnce()
            print(snapshot.summary)
            throw ExitCode(snapshot.overall.exitCode)
        }
        try await CommandFailure.reporting { try await agent.run() }
    }

    /// The checks that only look: the settings (when the ConfigMap is mounted: the DaemonSet) and
    /// the cluster's version (in a cluster); none on a bare host.
    func lookingChecks() -> [any HealthCheck] {
        var checks: [any HealthCheck] = []
        if let settingsDirectory { checks.append(SettingsCheck(directory: settingsDirectory, running: Environment.all)) }
        if let kubernetes = KubernetesConfiguration.inCluster(environment: Environment.all) {
            checks.append(KubernetesVersionCheck(client: KubernetesClient(configuration: kubernetes)))
        }
        return checks
    }

    func agentConfiguration() throws -> AgentConfiguration {
        let environment = Environment.all
        var configuration = AgentConfiguration(
            spec: try build.resolvedSpec(),
            builderOptions: build.builderOptions(),
            containerd: containerd.client,
            node: nodeName
        )
        // Builds run as `charon-node image build` children of this very binary: the daemon
        // stays lean (docs/agent.md, memory).
        configuration.buildExecutable = "/proc/self/exe"
        configuration.interval = .seconds(interval)
        configuration.retryInterval = .seconds(retryInterval)
        configuration.statusAddress = try parsedStatusAddress()
        configuration.shutdownGrace = .seconds(shutdownGrace)
        configuration.conditionHeartbeat = .seconds(conditionHeartbeat)
        configuration.minimumFreeBytes = Int64(minFreeDisk) << 20
        configuration.kubernetes = KubernetesConfiguration.inCluster(environment: environment)
        configuration.systemd = SystemdEnvironment(environment: environment)
        configuration.fleet = try fleet.configuration(node: nodeName, kubernetes: configuration.kubernetes)
        return configuration
    }
}
