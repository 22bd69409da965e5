import ArgumentParser
import Fleet
import Glibc
import Lifecycle
import Logging

/// `charon-node fleet`: the fleet pass for the whole tailnet scope, once (`--once`, the systemd
/// timer) or every `FLEET_INTERVAL` until stopped.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Sweep offline service nodes from Headscale and keep every DNS record of the scope, in Cloudflare batches.",
        discussion: """
            One pass: one Headscale node list for the scope (HEADSCALE_USER's nodes, plus the \
            tag-owned nodes with exactly AUTHKEY_TAGS); nodes in scope offline and last seen longer \
            ago than OFFLINE_NODE_TTL are deleted; one paginated listing of the zone; then each node \
            gets <first label of its name>.<DOMAIN_NAME> -> its tailnet addresses, owned records \
            whose name has no node go, and records this tool does not own are never touched (a name \
            they hold is reported). Every change is sent in POST dns_records/batch calls of at most \
            FLEET_BATCH_SIZE operations; a failed batch changes nothing and the next pass retries it.

            Reads the lifecycle image's settings: HEADSCALE_URL, HEADSCALE_API_KEY[_FILE], \
            HEADSCALE_USER, AUTHKEY_TAGS, CLOUDFLARE_API_TOKEN[_FILE], CLOUDFLARE_ZONE_ID, \
            CLOUDFLARE_API_URL, DOMAIN_NAME, OWNER_ID, DNS_TTL. Without a Cloudflare token it only \
            sweeps.

            Prints one summary line per pass. Exit status (--once): 0 done, 1 a failure the \
            message names, 2 bad configuration. Without --once, SIGTERM or SIGINT cancels the \
            pass in flight and exits 0.
            """
    )

    @Flag(help: "Run one pass, print its summary and exit.")
    var once = false

    @Option(help: ArgumentHelp(FleetSetting.interval.help, valueName: "duration"))
    var interval: String?

    @Option(name: .customLong("offline-node-ttl"), help: ArgumentHelp(FleetSetting.offlineNodeTTL.help, valueName: "duration"))
    var offlineNodeTTL: String?

    @Option(help: ArgumentHelp(FleetSetting.batchSize.help, valueName: "operations"))
    var batchSize: String?

    func run() async throws {
        LogSetup.bootstrap()
        let configuration = try CommandFailure.checkingInput { try FleetConfiguration.resolve(environment: Environment.all, flags: flags) }
        let pass = FleetPass(configuration: configuration, logger: Logger(label: "charon.fleet"))
        if once {
            let summary = await pass.run()
            print(summary)
            guard summary.succeeded else {
                CommandFailure.printError(summary.failures.joined(separator: "; "))
                throw ExitCode(1)
            }
            return
        }
        let logger = Logger(label: "charon.fleet")
        let interval = configuration.interval
        let loop = Task {
            while !Task.isCancelled {
                let summary = await pass.run()
                print(summary)
                fflush(nil)  // a line per pass, also into a pipe
                for failure in summary.failures { logger.warning("\(failure)") }
                try? await Task.sleep(for: interval * Double.random(in: 0.9...1.1))
            }
        }
        // SIGTERM/SIGINT: the pass in flight is cancelled (a batch is a transaction: nothing is
        // left half-applied) and the command exits 0.
        let stop = StopSignalWatcher { loop.cancel() }
        await loop.value
        withExtendedLifetime(stop) {}
        logger.notice("fleet: stopped")
    }

    /// The options given, keyed by environment variable name.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags[FleetSetting.interval.environmentName] = interval
        flags[FleetSetting.offlineNodeTTL.environmentName] = offlineNodeTTL
        flags[FleetSetting.batchSize.environmentName] = batchSize
        return flags
    }
}
