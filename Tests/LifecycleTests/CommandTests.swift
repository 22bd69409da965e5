import Glibc
import Lifecycle
import TestSupport
import Testing

/// The built `charon-lifecycle` executable: exit codes, output free of secrets, SIGTERM.
@Suite("charon-lifecycle executable")
struct CommandTests {
    static var executable: String { BuiltProducts.path("charon-lifecycle") }

    /// Starts `charon-lifecycle <command>` with exactly this environment; its output goes beside
    /// the world's scratch folder (never into it: the key folder must hold only the key).
    static func start(_ arguments: [String], _ environment: [String: String], in world: LifecycleWorld) throws -> SpawnedProcess {
        try SpawnedProcess(executable, arguments, environment: environment, outputFolder: world.scratch.path + "/..")
    }

    /// Runs to completion with exactly this environment.
    static func run(_ arguments: [String], _ environment: [String: String], in world: LifecycleWorld) async throws -> (Int32, String, String) {
        let child = try start(arguments, environment, in: world)
        let status = try await child.wait(timeout: .seconds(120))
        return (status, child.standardOutput, child.standardError)
    }

    @Test("cleanup exits 0, writes the key 0600, names each action, and prints no secret")
    func cleanupSucceeds() async throws {
        let world = try await LifecycleWorld.start(version: .v0_26)
        try await withFake(world) { world in
            _ = CleanupTests.seed(world)
            let (status, output, errors) = try await Self.run(["cleanup"], world.environment(), in: world)
            #expect(status == 0, "\(errors)")
            let key = try #require(world.headscale.issuedKeys.last?.key)
            #expect(POSIXFile.contents(world.keyPath) == key)
            #expect(POSIXFile.mode(world.keyPath) == 0o600)
            let all = output + errors
            #expect(!all.contains("plain http"), "loopback http is no exposure: no warning")
            #expect(all.contains("deleted stale Headscale node ollama"))
            #expect(all.contains("deleted A 100.64.0.9"))
            #expect(all.contains("left alone A 203.0.113.10"))
            #expect(all.contains("left alone TXT"))
            for secret in [LifecycleWorld.apiKey, LifecycleWorld.token, key] {
                #expect(!all.contains(secret), "a secret leaked into the output")
            }
        }
    }

    @Test("secrets from *_FILE and settings from flags work the same")
    func filesAndFlags() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            let keyFile = try world.scratch.write("secrets/api-key", LifecycleWorld.apiKey + "\n", mode: 0o600)
            var environment = world.environment(["HEADSCALE_API_KEY": "", "HEADSCALE_API_KEY_FILE": keyFile, "TS_HOSTNAME": "wrong"])
            environment["CLOUDFLARE_API_TOKEN"] = nil
            let (status, _, errors) = try await Self.run(["cleanup", "--ts-hostname", "ollama"], environment, in: world)
            #expect(status == 0, "\(errors)")
            #expect(world.keyFileExists)
        }
    }

    @Test("a refused key exits 1 with a message that says so, and writes nothing")
    func refused() async throws {
        let world = try await LifecycleWorld.start(version: .v0_23)
        try await withFake(world) { world in
            let (status, output, errors) = try await Self.run(["cleanup"], world.environment(["HEADSCALE_API_KEY": "hskey-wrong-SECRET"]), in: world)
            #expect(status == 1)
            #expect(errors.contains("Headscale refused the API key"))
            #expect(!(output + errors).contains("hskey-wrong-SECRET"))
            #expect(!world.keyFileExists)
        }
    }

    @Test("bad configuration exits 2 naming the setting")
    func badConfiguration() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            let (missing, _, missingErrors) = try await Self.run(["cleanup"], world.environment(["TS_HOSTNAME": ""]), in: world)
            #expect(missing == 2)
            #expect(missingErrors.contains("TS_HOSTNAME is required"))
            let (bad, _, badErrors) = try await Self.run(["dns-create"], world.environment(["MONITOR_INTERVAL": "often"]), in: world)
            #expect(bad == 2)
            #expect(badErrors.contains("MONITOR_INTERVAL=often"))
            let (unknown, _, _) = try await Self.run(["cleanup", "--no-such-flag"], world.environment(), in: world)
            #expect(unknown == 2)
            #expect(world.headscale.requests.isEmpty)
        }
    }

    @Test("a Headscale answer over the response cap fails cleanup naming host, path and limit; HTTP_MAX_RESPONSE_MIB raises it")
    func responseCap() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            // Valid JSON, 5 MiB of it whitespace: over the 4 MiB default, under 8.
            let padded =
                #"{"users": [{"id": "1", "name": "services", "createdAt": "2026-01-01T00:00:00Z"}]"# + String(repeating: " ", count: 5 << 20) + "}"
            world.headscale.faults.inject(.response(.json(200, padded)), times: 2, on: "GET", pathPrefix: "/api/v1/user")
            let (status, _, errors) = try await Self.run(["cleanup"], world.environment(), in: world)
            #expect(status == 1)
            #expect(errors.contains("GET \(world.headscale.url)/api/v1/user: response body over the 4 MiB limit"), "\(errors)")
            #expect(!world.keyFileExists)
            let (raised, _, raisedErrors) = try await Self.run(["cleanup"], world.environment(["HTTP_MAX_RESPONSE_MIB": "8"]), in: world)
            #expect(raised == 0, "\(raisedErrors)")
            #expect(world.keyFileExists)
        }
    }

    @Test("secrets as flags are refused with exit 2 before anything is called")
    func secretFlagsRefused() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            var environment = world.environment()
            environment["HEADSCALE_API_KEY"] = nil
            let (status, output, errors) = try await Self.run(["cleanup", "--headscale-api-key", "hskey-on-cmdline"], environment, in: world)
            #expect(status == 2)
            #expect(errors.contains("--headscale-api-key is refused: a secret on the command line is readable by every process on the node"))
            #expect(!(output + errors).contains("hskey-on-cmdline"))
            let (tokenStatus, _, tokenErrors) = try await Self.run(
                ["dns-create", "--cloudflare-api-token", "cf-on-cmdline"],
                world.environment(),
                in: world
            )
            #expect(tokenStatus == 2)
            #expect(tokenErrors.contains("--cloudflare-api-token is refused"))
            #expect(world.headscale.requests.isEmpty && world.cloudflare.requests.isEmpty)
        }
    }

    /// Starts dns-create against an unresolvable Headscale over plain http, waits for its first
    /// line (the warning: `main` has run), sends SIGTERM and returns the exit status. It would
    /// retry the name for ever: only the signal ends it.
    static func stopWhileResolving(_ world: LifecycleWorld) async throws -> (status: Int32, child: SpawnedProcess) {
        let child = try start(
            ["dns-create"],
            world.environment(["HEADSCALE_URL": "http://headscale.invalid:8080", "RETRY_INTERVAL": "600"]),
            in: world
        )
        #expect(await eventually { child.standardError.contains("plain http") })
        child.signal(SIGTERM)
        return (try await child.wait(timeout: .seconds(120)), child)
    }

    @Test("an API key bound for plain http on another host is warned about once, at start")
    func plainHTTPWarning() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            let (status, child) = try await Self.stopWhileResolving(world)
            #expect(status == 0, "\(child.standardError)")
            let lines = child.standardError.split(separator: "\n").filter { $0.contains("plain http") }
            #expect(lines.count == 1, "\(child.standardError)")
            #expect(lines.first?.contains("HEADSCALE_URL=http://headscale.invalid:8080 is plain http to another host") == true)
            #expect(!child.standardError.contains(LifecycleWorld.apiKey))
        }
    }

    /// The signal goes to whichever thread does not block it: libcurl's resolver, a transfer
    /// thread, the main thread waiting in `sigsuspend`. With a dispatch signal source, about one
    /// full run of this suite in 30 lost it (dns-create ran on for its whole RETRY_INTERVAL) or died
    /// of it (143); which thread takes it is the kernel's choice, so this repeats the case rather
    /// than forcing it. Once the first line is out, `main` has installed the handler: from then on
    /// every SIGTERM must end it with 0.
    @Test("SIGTERM while libcurl resolves a host ends dns-create with 0, every time")
    func sigtermDuringResolution() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            for attempt in 1...8 {
                let (status, child) = try await Self.stopWhileResolving(world)
                #expect(status == 0, "attempt \(attempt): \(child.standardError)")
            }
        }
    }

    @Test("dns-create exits 0 promptly on SIGTERM, while waiting and while monitoring")
    func sigterm() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            // While waiting for a node that is not there yet, in a long sleep between polls.
            let waiting = try CommandTests.start(["dns-create"], world.environment(["RETRY_INTERVAL": "600", "MAX_RETRIES": "10"]), in: world)
            #expect(await eventually { !world.headscale.requests.isEmpty })
            let clock = ContinuousClock()
            var start = clock.now
            waiting.signal(SIGTERM)
            #expect(try await waiting.wait(timeout: .seconds(120)) == 0)
            #expect(clock.now - start < .seconds(60), "SIGTERM ends the 600 s sleep between polls")

            // While monitoring, with the records in place.
            world.headscale.addNode(name: LifecycleWorld.hostname, user: LifecycleWorld.user, ipAddresses: ["100.64.1.2"])
            let monitoring = try CommandTests.start(["dns-create"], world.environment(["MONITOR_INTERVAL": "0.1"]), in: world)
            #expect(await eventually { monitoring.standardError.contains("created A 100.64.1.2") })
            #expect(world.cloudflare.records(named: LifecycleWorld.fqdn).count == 1)
            start = clock.now
            monitoring.signal(SIGTERM)
            #expect(try await monitoring.wait(timeout: .seconds(120)) == 0)
            #expect(clock.now - start < .seconds(60), "SIGTERM ends the monitoring loop, which never ends by itself")
            let output = monitoring.standardOutput + monitoring.standardError
            #expect(output.contains("created A 100.64.1.2"))
            #expect(output.contains("stopping on SIGTERM"))
            #expect(!output.contains(LifecycleWorld.apiKey) && !output.contains(LifecycleWorld.token))
        }
    }
}

/// `cleanup` stopped while Headscale is slow to answer.
@Suite("charon-lifecycle cleanup and SIGTERM")
struct CleanupSignalTests {
    @Test("SIGTERM during cleanup exits 1 promptly and leaves no key and no temporary file")
    func stoppedCleanup() async throws {
        let world = try await LifecycleWorld.start()
        try await withFake(world) { world in
            world.headscale.faults.inject(.slow(.seconds(600)), times: 1, on: "GET", pathPrefix: "/api/v1/user")
            let child = try CommandTests.start(["cleanup"], world.environment(), in: world)
            #expect(await eventually { !world.headscale.requests.isEmpty })
            child.signal(SIGTERM)
            #expect(try await child.wait(timeout: .seconds(60)) == 1, "SIGTERM, not the 600 s answer, ended it")
            #expect(child.standardError.contains("cleanup stopped by SIGTERM"))
            #expect(POSIXFile.list(world.scratch.path).isEmpty)
        }
    }
}
