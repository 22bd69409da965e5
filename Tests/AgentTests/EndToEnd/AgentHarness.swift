import Agent
import CharonSupport
import Glibc
import HTTP
import HostCommand
import TestSupport
import Testing

/// Starts the built `charon-node agent` against a containerd, with a fast interval, its own
/// namespace and port, and reads its endpoints.
struct AgentHarness {
    let socket: String
    let namespace: String
    let port: Int
    let scratch: TemporaryDirectory
    let http = HTTPClient(configuration: .init(connectTimeout: .seconds(1), requestTimeout: .seconds(3), retryDeadline: .seconds(3), maxAttempts: 1))

    init(socket: String) throws {
        self.socket = socket
        namespace = "charon-agent-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let reserved = try FreePort()
        reserved.release()  // the agent binds it next
        port = reserved.port
        scratch = try TemporaryDirectory(prefix: "agent")
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// `serving: false` gives `--status-address off` (for `--once` runs beside a serving agent).
    func agentArguments(spec: String, output: String, interval: Double = 2, serving: Bool = true, extra: [String] = []) -> [String] {
        [
            "agent", "--spec", spec, "--output", output, "--containerd-address", socket, "--namespace", namespace,
            "--interval", "\(interval)", "--retry-interval", "1", "--status-address", serving ? "127.0.0.1:\(port)" : "off",
            "--node-name", "test-node",
        ] + extra
    }

    func start(
        spec: String,
        output: String,
        interval: Double = 2,
        extra: [String] = [],
        environment: [String: String] = [:]
    ) throws -> SpawnedProcess {
        try SpawnedProcess(
            BuiltProducts.path("charon-node"),
            agentArguments(spec: spec, output: output, interval: interval, extra: extra),
            // Never let a test agent think it is in a cluster or under systemd unless told so.
            environment: SpawnedProcess.inheritedEnvironment(
                adding: environment,
                removing: ["KUBERNETES_SERVICE_HOST", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]
            ),
            outputFolder: scratch.path,
            name: "agent"
        )
    }

    /// The HTTP status of a GET, or `nil` when nothing answers.
    func statusCode(_ path: String) async -> Int? {
        try? await http.send(HTTPRequest(.get, url + path)).status
    }

    func body(_ path: String) async -> String? {
        try? await http.send(HTTPRequest(.get, url + path)).text
    }

    func status() async -> StatusDocument? {
        try? await StatusClient(url: url, timeout: .seconds(2)).fetch().document
    }

    /// containerd's record of the image, or `nil` when it does not have it.
    func containerdImage(_ reference: String) async throws -> (digest: String, pinned: Bool)? {
        let listing = try await HostCommand(executable: "ctr").run([
            "--address", socket, "--namespace", namespace, "images", "ls", "name==\(reference)",
        ])
        guard listing.succeeded else { return nil }
        guard let line = listing.standardOutput.split(whereSeparator: \.isNewline).dropFirst().first(where: { $0.hasPrefix(reference + " ") }) else {
            return nil
        }
        let columns = line.split(separator: " ", omittingEmptySubsequences: true)
        return (String(columns[2]), line.contains("io.cri-containerd.pinned=pinned"))
    }

    /// Leftovers of an interrupted build next to `output`.
    static func temporaryFiles(beside output: String) -> [String] {
        let folder = POSIXIO.directoryName(of: output)
        let prefix = ".\(POSIXIO.baseName(of: output)).tmp-"
        return ((try? POSIXIO.listDirectory(folder)) ?? []).filter { $0.hasPrefix(prefix) }
    }
}

/// The private containerd of `make test`, or a failure in CI / a skip elsewhere when it is absent.
enum ContainerdUnderTest {
    static func socket() async throws -> String? {
        if let address = TestEnvironment.value("CHARON_TEST_CONTAINERD_ADDRESS") { return address }
        if TestEnvironment.isCI {
            Issue.record("CHARON_TEST_CONTAINERD_ADDRESS is not set: run the tests with `make test`, which starts a private containerd")
            return nil
        }
        // Run alone (swift test): start the same private containerd `make test` would.
        return try? await PrivateContainerd.address()
    }

    static var available: Bool {
        TestEnvironment.value("CHARON_TEST_CONTAINERD_ADDRESS") != nil || TestEnvironment.isCI || access("/usr/bin/containerd", X_OK) == 0
    }
}
