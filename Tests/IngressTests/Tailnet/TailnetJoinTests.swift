import CharonSupport
import Glibc
import HostCommand
import Ingress
import Tailscale
import TestSupport
import Testing

/// The join through a fake `tailscale` CLI that serves real status shapes.
struct TailnetJoinTests {
    let loginServer = "https://headscale.example.com"

    /// Waits are slept on a skipping manual clock: each returns at once and moves the clock on, so
    /// the settle and Running timeouts end after an exact number of polls, however loaded the machine.
    func makeJoin(
        _ fake: FakeTailscale,
        _ enrollment: FakeEnrollment,
        keyDirectory: String,
        clock: ManualClock = ManualClock(skipping: true)
    ) throws -> TailnetJoin {
        TailnetJoin(
            configuration: .init(
                hostname: try IngressHostname(nodeName: "node1"),
                loginServer: loginServer,
                keyDirectory: keyDirectory,
                upTimeoutSeconds: 20,
                settleTimeout: .seconds(2),
                pollInterval: .milliseconds(50)
            ),
            tailscale: fake.cli,
            enrollment: enrollment,
            now: { TailscaleFixtures.now },
            clock: clock
        )
    }

    @Test func healthyNodeGetsNoNewKeyAndNoUp() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.running())
        let enrollment = FakeEnrollment()
        let outcome = try await makeJoin(fake, enrollment, keyDirectory: fake.folder.path + "/keys").reconcile()
        #expect(outcome == .alreadyJoined(addresses: ["100.64.0.7", "fd7a:115c:a1e0::7"]))
        #expect(enrollment.keysMinted == 0)
        #expect(enrollment.cleaned.isEmpty)
        #expect(fake.upCalls.isEmpty)
    }

    @Test func loggedOutNodeJoinsWithAFreshKeyInAPrivateFile() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.needsLogin)
        let enrollment = FakeEnrollment()
        let keys = fake.folder.path + "/keys"
        let outcome = try await makeJoin(fake, enrollment, keyDirectory: keys).reconcile()
        #expect(outcome == .joined(addresses: ["100.64.0.7", "fd7a:115c:a1e0::7"], removedStale: 1))
        #expect(enrollment.cleaned == ["nginx-ingress-node1"])
        #expect(enrollment.keysMinted == 1)
        #expect(
            fake.upCalls == [
                "up --login-server=\(loginServer) --hostname=nginx-ingress-node1 --accept-dns=false --reset --timeout=20s --auth-key=file:\(keys)/authkey-nginx-ingress-node1"
            ]
        )
        #expect(fake.read("key-seen") == enrollment.key)
        #expect(fake.read("key-mode") == "600\n")
        #expect(!POSIXIO.exists("\(keys)/authkey-nginx-ingress-node1"), "the key file is deleted after up")
        // A second pass finds the node Running and does nothing.
        #expect(
            try await makeJoin(fake, enrollment, keyDirectory: keys).reconcile() == .alreadyJoined(addresses: ["100.64.0.7", "fd7a:115c:a1e0::7"])
        )
        #expect(enrollment.keysMinted == 1)
    }

    @Test func expiredKeyRejoinsWithForceReauth() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.expired)
        let enrollment = FakeEnrollment()
        _ = try await makeJoin(fake, enrollment, keyDirectory: fake.folder.path + "/keys").reconcile()
        #expect(fake.upCalls.count == 1)
        #expect(fake.upCalls.first?.hasSuffix("--force-reauth") == true)
        #expect(enrollment.keysMinted == 1)
    }

    @Test func stoppedNodeComesBackWithoutANewKey() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.stopped)
        let enrollment = FakeEnrollment()
        let outcome = try await makeJoin(fake, enrollment, keyDirectory: fake.folder.path + "/keys").reconcile()
        #expect(outcome == .broughtUp(addresses: ["100.64.0.7", "fd7a:115c:a1e0::7"]))
        #expect(enrollment.keysMinted == 0)
        #expect(fake.upCalls.count == 1)
        #expect(fake.upCalls.first?.contains("--auth-key") == false)
    }

    @Test func failedUpIsReportedWithHealthAndWithoutTheKey() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.needsLogin)
        try fake.failUp()
        let enrollment = FakeEnrollment()
        let keys = fake.folder.path + "/keys"
        let error = await #expect(throws: TailscaleError.self) {
            try await makeJoin(fake, enrollment, keyDirectory: keys).reconcile()
        }
        let message = error?.description ?? ""
        #expect(!message.contains(enrollment.key), "\(message)")
        #expect(!message.contains("Zk3q9XbT1mPw"), "\(message)")
        #expect(message.contains("[redacted]"))
        #expect(message.contains("tailscaled health: You are logged out."))
        #expect(!POSIXIO.exists("\(keys)/authkey-nginx-ingress-node1"), "the key file is deleted even when up fails")
    }

    @Test func upThatNeverReachesRunningIsAnError() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.needsLogin, afterUp: TailscaleFixtures.needsMachineAuth)
        let clock = ManualClock(skipping: true)
        let error = await #expect(throws: TailscaleError.self) {
            try await makeJoin(fake, FakeEnrollment(), keyDirectory: fake.folder.path + "/keys", clock: clock).reconcile()
        }
        // The settle timeout (2 s) in poll intervals (50 ms): exactly 40 waits, then the error.
        #expect(clock.sleeps == Array(repeating: .milliseconds(50), count: 40))
        #expect(error?.description.contains("NeedsMachineAuth") == true)
        #expect(error?.description.contains("machine not authorized") == true)
    }

    @Test func badLoginServerIsRefusedBeforeAnythingRuns() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.needsLogin)
        var join = try makeJoin(fake, FakeEnrollment(), keyDirectory: fake.folder.path + "/keys")
        join.configuration.loginServer = "headscale --auth-key=x"
        await #expect(throws: TailscaleError.self) { try await join.reconcile() }
        #expect(fake.upCalls.isEmpty)
    }

    @Test func unreachableTailscaledIsAClearError() async throws {
        let folder = try TemporaryDirectory()
        let script = try folder.write(
            "tailscale",
            "#!/bin/sh\necho 'failed to connect to local tailscaled; it doesn'\"'\"'t appear to be running' >&2\nexit 1\n",
            mode: 0o755
        )
        let error = await #expect(throws: TailscaleError.self) { try await TailscaleCLI(executable: script).status() }
        #expect(error?.description == "tailscale status: failed to connect to local tailscaled; it doesn't appear to be running")
    }

    /// The tests run as root, whom file modes do not stop: a read-only mount is what a read-only
    /// root filesystem or `ProtectSystem=strict` really gives.
    @Test(.enabled(if: TestEnvironment.isCI || getuid() == 0, "needs root to mount a read-only tmpfs"))
    func unwritableKeyDirectoryDeletesAndMintsNothing() async throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.needsLogin)
        let readOnly = fake.folder.path + "/ro"
        try POSIXIO.makeDirectories(readOnly)
        try await HostCommand(executable: "mount").check(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly])
        defer { _ = umount(readOnly) }
        let enrollment = FakeEnrollment()
        let error = await #expect(throws: TailscaleError.self) {
            try await makeJoin(fake, enrollment, keyDirectory: readOnly + "/keys").reconcile()
        }
        #expect(error?.description.contains("key directory \(readOnly)/keys cannot be created") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(error?.description.contains("nothing was deleted or minted") == true)
        #expect(enrollment.cleaned.isEmpty, "no registration deleted")
        #expect(enrollment.keysMinted == 0, "no key minted")
        #expect(fake.upCalls.isEmpty)

        // The folder itself read-only (it exists, but takes no file): the same.
        let error2 = await #expect(throws: TailscaleError.self) {
            try await makeJoin(fake, enrollment, keyDirectory: readOnly).reconcile()
        }
        #expect(error2?.description.contains("key directory \(readOnly) is not writable (Read-only file system)") == true)
        #expect(enrollment.cleaned.isEmpty && enrollment.keysMinted == 0)
    }

    @Test func leftoverKeyFilesAreSweptAndNothingElse() throws {
        let fake = try FakeTailscale(status: TailscaleFixtures.running())
        let folder = try TemporaryDirectory(prefix: "keys")
        for name in ["authkey-nginx-ingress-node1", ".authkey-nginx-ingress-node1.tmp-AbC123", ".probe-4242", "unrelated"] {
            _ = try folder.write(name, "x", mode: 0o600)
        }
        let join = try makeJoin(fake, FakeEnrollment(), keyDirectory: folder.path)
        #expect(join.sweepKeyDirectory() == 3)
        #expect(try POSIXIO.listDirectory(folder.path) == ["unrelated"])
        #expect(join.sweepKeyDirectory() == 0)
        // A folder that does not exist yet is simply empty.
        #expect(try makeJoin(fake, FakeEnrollment(), keyDirectory: folder.path + "/missing").sweepKeyDirectory() == 0)
    }
}
