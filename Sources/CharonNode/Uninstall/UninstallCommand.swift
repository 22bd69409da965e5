import Agent
import ArgumentParser
import CharonSupport
import Containerd
import Glibc
import Ingress
import Kubernetes
import Lifecycle
import Logging
import OCI

/// `charon-node uninstall`: undoes on this node what the agent set up, and nothing else.
struct UninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Undo what charon set up on this node: table, tailnet login, registration, DNS, conditions, pins, state.",
        discussion: """
            Each step prints one line (what it removed, or that it was already done) and runs even \
            when an earlier one failed: 1 firewall (table inet charon_ingress), 2 tailscale (logout, \
            only of a tailscaled logged in as nginx-ingress-<node>), 3 headscale (nodes named \
            nginx-ingress-<node> of HEADSCALE_USER / AUTHKEY_TAGS), 4 dns (the A/AAAA records of \
            nginx-ingress-<node>.<DOMAIN_NAME> with charon's ownership comment), 5 conditions \
            (this Node's Charon* conditions, in Kubernetes), 6 image (the pin label of the image \
            the agent builds, the image kept), 7 state (the image output's files, tailscaled's \
            state folder, the key folder). Steps whose settings are absent say so and are skipped. \
            A second run changes nothing and exits 0. Exit status 1 names the failed steps. Stop \
            the agent first (delete its DaemonSet, or systemctl disable --now charon-node): a \
            running agent puts it all back. See docs/operations.md.
            """
    )

    @Flag(help: "Do not ask for confirmation (needed when stdin is not a terminal).")
    var yes = false

    @OptionGroup var ingress: IngressOptions
    @OptionGroup var build: BuildOptions
    @OptionGroup var containerd: ContainerdOptions

    @Option(
        name: .setting(.ingressKeyDirectory),
        help: ArgumentHelp(NodeSetting.ingressKeyDirectory.help, valueName: NodeSetting.ingressKeyDirectory.valueName)
    )
    var keyDirectory: String = Environment.ingressKeyDirectory

    @Option(help: ArgumentHelp("tailscaled's state folder (its node key), removed whole.", valueName: "folder"))
    var tailscaleState = "/var/lib/charon-node-tailscale"

    @Option(help: ArgumentHelp("Kubernetes API URL without credentials (a kubectl proxy); default: in-cluster.", valueName: "url"))
    var apiServer: String?

    func run() async throws {
        LogSetup.bootstrap()
        let logger = Logger(label: "charon.uninstall")
        let (hostname, firewall, state) = try CommandFailure.checkingInput { () throws -> (IngressHostname, Firewall, StateRemoval) in
            (
                try ingress.hostname(), try ingress.firewall(),
                try StateRemoval(imageOutput: build.output, ownedFolders: [tailscaleState, keyDirectory])
            )
        }
        try confirm(hostname)
        var failed: [String] = []
        func step(_ name: String, _ body: () async throws -> UninstallOutcome) async {
            do {
                print("\(name): \(try await body())")
            } catch {
                print("\(name): failed: \(error)")
                failed.append(name)
            }
        }
        await step("firewall") {
            let before = try await firewall.inspect()
            try await firewall.remove()
            let table = "table inet \(firewall.policy.tableName)"
            return before == .missing ? .alreadyDone("no \(table)") : .done("removed \(table)")
        }
        await step("tailscale") { try await TailnetLogout(tailscale: ingress.tailscaleCLI, hostname: hostname).run() }
        let registration = Result { try registrationRemoval(hostname, logger: logger) }
        await step("headscale") {
            guard let removal = try registration.get() else { return .skipped(Self.noHeadscale) }
            return try await removal.removeRegistrations()
        }
        await step("dns") {
            guard let removal = try registration.get() else { return .skipped(Self.noHeadscale) }
            return try await removal.removeRecords()
        }
        await step("conditions") { try await removeConditions() }
        await step("image") { try await ImageUnpinning(containerd: containerd.client, references: [pinnedReference()]).run() }
        await step("state") { try state.run() }
        if !failed.isEmpty {
            CommandFailure.printError("uninstall incomplete: \(failed.joined(separator: ", ")) failed (the other steps ran)")
            throw ExitCode(1)
        }
    }

    static let noHeadscale = "no Headscale settings (HEADSCALE_USER and HEADSCALE_API_KEY or HEADSCALE_API_KEY_FILE)"

    /// nil when the Headscale settings are absent; throws when they are there but refused. A
    /// `*_FILE` naming a file that does not exist counts as absent: the DaemonSets mount the
    /// credentials Secret as optional, so a cluster without the ingress has no files.
    func registrationRemoval(_ hostname: IngressHostname, logger: Logger) throws -> NodeRegistrationRemoval? {
        var environment = Environment.all
        for name in ["HEADSCALE_API_KEY_FILE", "CLOUDFLARE_API_TOKEN_FILE"] where environment[name].map({ !POSIXIO.exists($0) }) == true {
            environment[name] = nil
        }
        let keyGiven = environment["HEADSCALE_API_KEY", default: ""] != "" || environment["HEADSCALE_API_KEY_FILE", default: ""] != ""
        guard keyGiven, environment["HEADSCALE_USER", default: ""] != "" else { return nil }
        let configuration = try IngressLifecycleSettings.configuration(hostname: hostname, environment: environment)
        return NodeRegistrationRemoval(
            configuration: configuration,
            clients: LifecycleClients(configuration: configuration, logger: logger),
            logger: logger
        )
    }

    /// The agent decides it is in Kubernetes by `KUBERNETES_SERVICE_HOST`; without the service
    /// account token there is nothing to authenticate with either.
    func removeConditions() async throws -> UninstallOutcome {
        let kubernetes: KubernetesConfiguration
        if let apiServer {
            kubernetes = KubernetesConfiguration(apiServer: apiServer, tokenFile: nil, caFile: nil)
        } else {
            guard let inCluster = KubernetesConfiguration.inCluster(environment: Environment.all) else {
                return .skipped("not in a Kubernetes cluster (no KUBERNETES_SERVICE_HOST)")
            }
            if let token = inCluster.tokenFile, !POSIXIO.exists(token) {
                return .skipped("no service-account token at \(token)")
            }
            kubernetes = inCluster
        }
        let node = ingress.node
        let removed = try await KubernetesClient(configuration: kubernetes).removeNodeConditions(node: node, typePrefix: "Charon")
        if removed.isEmpty { return .alreadyDone("no Charon* condition on Node \(node)") }
        return .done("removed \(removed.joined(separator: ", ")) from Node \(node)")
    }

    /// The image the agent pins: the reference of the spec it builds (`--spec`, `IMAGE_SPEC`, or
    /// the one found beside the binary), else the lifecycle image's default reference.
    func pinnedReference() -> String {
        guard let location = try? build.resolvedSpec(), let spec = try? ImageSpec.load(from: location) else {
            return "localhost/tailscale-lifecycle:latest"
        }
        return spec.reference.description
    }

    /// Asks on the terminal unless `--yes`; refuses when there is no terminal to ask on.
    func confirm(_ hostname: IngressHostname) throws {
        guard !yes else { return }
        guard isatty(STDIN_FILENO) == 1 else {
            CommandFailure.printError("stdin is not a terminal to confirm on: pass --yes to uninstall without asking")
            throw ExitCode(2)
        }
        var standardError = UnbufferedOutput.standardError
        print(
            "This removes charon from node \(ingress.node): the nftables table, tailscaled's login as \(hostname), its Headscale "
                + "node and owned DNS records, the Charon* conditions, the image pin and the state folders. Continue? [y/N] ",
            terminator: "",
            to: &standardError
        )
        guard let answer = readLine()?.lowercased(), ["y", "yes"].contains(answer) else {
            CommandFailure.printError("not confirmed: nothing was changed")
            throw ExitCode(1)
        }
    }
}
