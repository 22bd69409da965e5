import Agent
import CharonSupport
import Ingress
import Lifecycle
import Tailscale
import TestSupport
import Testing

/// Joins that fail back off across passes, keys are single-use and short-lived, an online
/// registration is never taken, and credential files are read again each pass: the agent's
/// ingress as `charon-node agent --ingress` wires it (a ``ReloadingReconciler`` sharing one
/// ``JoinBackoff``), against the Headscale fake and a fake `tailscale`, on a manual clock.
struct JoinBackoffTests {
    /// The agent's wiring: the reconciler is rebuilt each pass from `environment()` (credential
    /// files included) and shares `backoff`.
    struct Node {
        let tailscale: FakeTailscale
        let clock: ManualClock
        let backoff: JoinBackoff
        let reconciler: ReloadingReconciler

        init(apis: HeadscaleAndCloudflare, status: String, environment: @escaping @Sendable () -> [String: String], random: Double = 1) throws {
            let tailscale = try FakeTailscale(status: status)
            let backoff = JoinBackoff(random: { random })
            let clock = ManualClock()
            self.clock = clock
            self.tailscale = tailscale
            self.backoff = backoff
            let cli = tailscale.cli
            let keyDirectory = tailscale.folder.path + "/keys"
            reconciler = ReloadingReconciler(checkNames: [HealthCheckName.tailscale, HealthCheckName.ingress]) {
                let hostname = try IngressHostname(nodeName: "node1")
                let configuration = try IngressLifecycleSettings.configuration(hostname: hostname, environment: environment())
                let join = TailnetJoin(
                    configuration: .init(
                        hostname: hostname,
                        loginServer: apis.headscale.url,
                        keyDirectory: keyDirectory,
                        upTimeoutSeconds: 10,
                        settleTimeout: .seconds(2),
                        pollInterval: .milliseconds(50)
                    ),
                    tailscale: cli,
                    enrollment: LifecycleEnrollment(configuration: configuration, clients: LifecycleClients(configuration: configuration)),
                    now: { TailscaleFixtures.now },
                    clock: clock,
                    backoff: backoff
                )
                return IngressReconciler(
                    parts: .init(
                        hostname: hostname,
                        join: join,
                        status: cli,
                        firewall: nil,
                        controller: nil,
                        dns: nil,
                        ports: [],
                        now: { TailscaleFixtures.now }
                    )
                )
            }
        }
    }

    static func settings(_ apis: HeadscaleAndCloudflare) -> [String: String] {
        ["HEADSCALE_URL": apis.headscale.url, "HEADSCALE_API_KEY": apis.headscale.apiKey, "HEADSCALE_USER": apis.user]
    }

    @Test func delaysDoubleFromFifteenSecondsUpToTenMinutesAndJitterOnlyLengthens() {
        let policy = JoinBackoff.Policy()
        let plain = (1...8).map { JoinBackoff.delay(afterFailures: $0, policy: policy, jitterFraction: 0) }
        #expect(plain == [15, 30, 60, 120, 240, 480, 600, 600].map { Duration.seconds($0) })
        #expect(JoinBackoff.delay(afterFailures: 2, policy: policy, jitterFraction: 1) == .seconds(37.5))
        #expect(JoinBackoff.delay(afterFailures: 100, policy: policy, jitterFraction: 1) == .seconds(750))
    }

    @Test func aSuccessResetsTheBackoff() {
        let backoff = JoinBackoff(random: { 0 })
        let start = ContinuousClock.now
        #expect(backoff.recordFailure("refused", at: start) == .seconds(15))
        #expect(backoff.recordFailure("refused", at: start) == .seconds(30))
        #expect(backoff.remaining(at: start + .seconds(10)) == .seconds(20))
        #expect(backoff.remaining(at: start + .seconds(30)) == nil)
        backoff.recordSuccess()
        #expect(backoff.current == JoinBackoff.State())
        #expect(backoff.remaining(at: start) == nil)
    }

    /// The bound: every key refused, a pass every 10 s for 3 minutes, at most 5 keys (4
    /// with any jitter), the pass returning at once while backing off, and `/status` naming why.
    @Test(arguments: [0.0, 1.0])
    func aJoinWhoseEveryKeyIsRefusedMintsAtMostFiveKeysInThreeMinutes(jitter: Double) async throws {
        try await withFake(try await HeadscaleAndCloudflare.start(user: "ingress")) { apis in
            let node = try Node(apis: apis, status: TailscaleFixtures.needsLogin, environment: { Self.settings(apis) }, random: jitter)
            try node.tailscale.failUp()
            let model = HealthModel(node: "node1", checks: [("tailscale", .degraded, true), ("ingress", .degraded, true)], clock: node.clock)
            let pass = ReconcilePass(reconcilers: [node.reconciler], checks: [], model: model, metrics: AgentMetrics(), checkTimeout: .seconds(30))

            var attemptsAt: [Int] = []
            var snapshot = model.snapshot
            for second in stride(from: 0, to: 180, by: 10) {
                let before = apis.headscale.issuedKeys.count
                snapshot = await pass.run().snapshot
                if apis.headscale.issuedKeys.count > before { attemptsAt.append(second) }
                node.clock.advance(by: .seconds(10))
            }
            #expect(attemptsAt == (jitter == 0 ? [0, 20, 50, 110] : [0, 20, 60, 140]))
            #expect(apis.headscale.issuedKeys.count <= 5)
            #expect(node.tailscale.upCalls.count == attemptsAt.count, "no tailscale up while backing off")
            #expect(node.backoff.current.failures == attemptsAt.count)

            let status = StatusDocument(snapshot)
            let ingress = try #require(status.checks["ingress"])
            #expect(!ingress.ok)
            #expect(["TailnetJoinBackingOff", "TailnetJoinFailed"].contains(ingress.reason), "\(ingress.reason)")
            #expect(ingress.message.contains("tailnet join:"), "\(ingress.message)")
            #expect(ingress.message.contains("tailscale up: error"), "the last failure is named: \(ingress.message)")
            #expect(!ingress.message.contains(apis.headscale.issuedKeys.last?.key ?? "?"), "never the key itself")
            #expect(status.checks["tailscale"]?.ok == false)
        }
    }

    @Test func joinKeysAreSingleUseAndExpireWithinFiveMinutes() async throws {
        try await withFake(try await HeadscaleAndCloudflare.start(user: "ingress")) { apis in
            // The service pods' settings ask for reusable day-long keys; the ingress join ignores both.
            let node = try Node(
                apis: apis,
                status: TailscaleFixtures.needsLogin,
                environment: { Self.settings(apis).merging(["AUTHKEY_REUSABLE": "true", "AUTHKEY_EXPIRATION": "24h"]) { $1 } }
            )
            let issuedAt = RFC3339.nowEpochSeconds
            let results = await node.reconciler.reconcile()
            #expect(results["tailscale"]?.ok == true, "\(results)")
            let key = try #require(apis.headscale.issuedKeys.first)
            #expect(!key.reusable)
            let expiry = try #require(RFC3339.parse(key.expiration)).seconds
            #expect(expiry > Int64(issuedAt) && expiry <= Int64(RFC3339.nowEpochSeconds) + 300, "\(key.expiration)")
        }
    }

    @Test func anOnlineRegistrationOfTheNameIsNeverDeletedNorIsAKeyMinted() async throws {
        try await withFake(try await HeadscaleAndCloudflare.start(user: "ingress")) { apis in
            let held = apis.headscale.addNode(name: "nginx-ingress-node1", user: "ingress", ipAddresses: ["100.64.0.3"], online: true)
            let offline = apis.headscale.addNode(name: "nginx-ingress-node1", user: "ingress", online: false)
            let node = try Node(apis: apis, status: TailscaleFixtures.needsLogin, environment: { Self.settings(apis) })

            let results = await node.reconciler.reconcile()
            #expect(results["ingress"]?.reason == "TailnetNameHeldElsewhere")
            #expect(results["ingress"]?.message.contains("id \(held)") == true, "\(results)")
            #expect(results["ingress"]?.message.contains("Hand the name over") == true)
            #expect(apis.headscale.nodes.map(\.id).sorted() == [held, offline].sorted(), "nothing deleted, not even the offline one")
            #expect(apis.headscale.issuedKeys.isEmpty)
            #expect(node.tailscale.upCalls.isEmpty)

            // Once the other machine is gone (offline), the next attempt after the backoff joins.
            apis.headscale.setPresence(nodeID: held, online: false, lastSeen: nil)
            node.clock.advance(by: .seconds(20))
            let joined = await node.reconciler.reconcile()
            #expect(joined["tailscale"]?.ok == true, "\(joined)")
            #expect(apis.headscale.nodes.allSatisfy { $0.name != "nginx-ingress-node1" }, "both old registrations removed")
            #expect(apis.headscale.issuedKeys.count == 1)
            #expect(node.backoff.current.failures == 0)
        }
    }

    /// The Secret is optional and often created after the install: the key file appears while the
    /// agent runs and the next pass uses it.
    @Test func aCredentialsFileCreatedAfterTheStartIsUsedAtTheNextPass() async throws {
        try await withFake(try await HeadscaleAndCloudflare.start(user: "ingress")) { apis in
            let secrets = try TemporaryDirectory(prefix: "credentials")
            let keyFile = secrets.path + "/headscale-api-key"
            let environment: [String: String] = [
                "HEADSCALE_URL": apis.headscale.url, "HEADSCALE_API_KEY_FILE": keyFile, "HEADSCALE_USER": apis.user,
            ]
            let node = try Node(apis: apis, status: TailscaleFixtures.needsLogin, environment: { environment })

            let before = await node.reconciler.reconcile()
            #expect(before["ingress"]?.reason == "IngressMisconfigured")
            #expect(before["ingress"]?.message.contains("HEADSCALE_API_KEY_FILE") == true, "\(before)")
            #expect(apis.headscale.issuedKeys.isEmpty)

            try secrets.write("headscale-api-key", apis.headscale.apiKey + "\n", mode: 0o600)
            let after = await node.reconciler.reconcile()
            #expect(after["tailscale"]?.ok == true, "\(after)")
            #expect(apis.headscale.issuedKeys.count == 1)

            // Rotated to a key Headscale refuses: the very next pass uses (and reports) it.
            try node.tailscale.setStatus(TailscaleFixtures.needsLogin)
            try secrets.write("headscale-api-key", "hskey-api-REVOKED000000\n", mode: 0o600)
            let rotated = await node.reconciler.reconcile()
            #expect(rotated["ingress"]?.ok == false)
            #expect(rotated["ingress"]?.message.contains("Headscale refused the API key") == true, "\(rotated)")
            #expect(rotated["ingress"]?.message.contains("REVOKED") == false, "the key is not echoed")
        }
    }
}
