import CharonSupport
import HostCommand
import TestSupport
import Testing
import Yams

/// The example service pod (daemonset/example-statefulset.yaml) is VPN-only: its nginx config,
/// taken out of the ConfigMap as shipped, runs in a real nginx inside a network namespace shaped
/// like the pod, and only tailnet clients reach the app.
///
/// ```
///   client                                  pod (the lab's node namespace)
///   ts-peer  100.64.0.2 fd7a:115c:a1e0::2 <──> tailscale0 100.64.0.1 fd7a:115c:a1e0::1  (kernel-mode tailscale)
///   pub-peer 10.244.1.6 fd00:10:244:1::6  <──> eth0       10.244.1.5 fd00:10:244:1::5   (the pod network)
///                                              lo         127.0.0.1  the app on 127.0.0.1:11434
/// ```
@Suite(
    .serialized,
    .enabled(
        if: TestEnvironment.isCI || Prerequisites.available(["ip", "nginx", "curl", "openssl"]),
        "needs root, ip, nginx, curl and openssl"
    )
)
struct ExampleServicePodLabTests {
    static let host = "ollama.example.com"
    static let podIPv4 = "10.244.1.5"
    static let podIPv6 = "fd00:10:244:1::5"
    static let otherPodIPv4 = "10.244.1.6"
    static let otherPodIPv6 = "fd00:10:244:1::6"
    /// What the app answers: the marker proves a response came from the app, not from nginx.
    static let appMarker = "app-ok"

    @Test func prerequisitesPresent() {
        #expect(Prerequisites.missing(["ip", "nginx", "curl", "openssl"]) == nil)
    }

    /// `default.conf` of the ConfigMap `ollama-nginx`, as shipped.
    static func shippedConfig() throws -> String {
        let path = "\(BuiltProducts.packageRoot)/daemonset/example-statefulset.yaml"
        let objects = try Yams.load_all(yaml: String(decoding: try POSIXIO.readFile(path), as: UTF8.self))
            .compactMap { $0 as? [String: Any] }
        let configMap = try #require(
            objects.first {
                $0["kind"] as? String == "ConfigMap" && ($0["metadata"] as? [String: Any])?["name"] as? String == "ollama-nginx"
            }
        )
        return try #require((configMap["data"] as? [String: String])?["default.conf"])
    }

    /// The app's address from the config's `proxy_pass http://ADDRESS;`.
    static func upstream(in config: String) throws -> String {
        let lines = config.split(separator: "\n").map { String($0.drop(while: \.isWhitespace)) }
        let passes = lines.filter { $0.hasPrefix("proxy_pass ") }
        try #require(passes.count == 1, "one proxy_pass: \(passes)")
        let target = passes[0].dropFirst("proxy_pass http://".count).dropLast()  // drop the `;`
        return String(target)
    }

    /// The NetworkLab's public side becomes the pod network: `pub0` is renamed `eth0` and both
    /// ends get pod-network addresses.
    static func shapeLikeThePod(_ lab: NetworkLab) async throws {
        for arguments in [
            ["-n", lab.node, "link", "set", "pub0", "down"],
            ["-n", lab.node, "link", "set", "pub0", "name", "eth0"],
            ["-n", lab.node, "addr", "add", "\(podIPv4)/24", "dev", "eth0"],
            ["-n", lab.node, "addr", "add", "\(podIPv6)/64", "dev", "eth0", "nodad"],
            ["-n", lab.node, "link", "set", "eth0", "up"],
            ["-n", lab.client, "addr", "add", "\(otherPodIPv4)/24", "dev", "pub-peer"],
            ["-n", lab.client, "addr", "add", "\(otherPodIPv6)/64", "dev", "pub-peer", "nodad"],
        ] {
            try await HostCommand(executable: "ip").check(arguments)
        }
    }

    struct Answer {
        var status: Int
        var location: String
        var body: String
    }

    /// `curl` from the client namespace to the service name pinned at `address`.
    static func request(_ lab: NetworkLab, _ scheme: String, _ address: String, headers: [String] = []) async throws -> Answer {
        let port = scheme == "https" ? 443 : 80
        let bracketed = address.contains(":") ? "[\(address)]" : address
        var arguments = [
            "curl", "-k", "-s", "--max-time", "10", "-w", "\n%{http_code} %{redirect_url}", "--resolve", "\(host):\(port):\(bracketed)",
        ]
        for header in headers { arguments += ["-H", header] }
        let output = try await lab.inClient(arguments + ["\(scheme)://\(host)/api/tags?q=1"])
        guard output.succeeded else { throw LabError("curl \(scheme) \(address): exit \(output.exitCode) \(output.standardError)") }
        var lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let last = (lines.popLast() ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        var body = lines.joined(separator: "\n")
        while body.last == "\n" { body.removeLast() }
        return Answer(status: Int(last.first ?? "") ?? 0, location: last.count > 1 ? last[1] : "", body: body)
    }

    @Test func onlyTheTailnetReachesTheApp() async throws {
        let config = try Self.shippedConfig()
        let app = try Self.upstream(in: config)
        #expect(app.hasPrefix("127.0.0.1:"), "the app must listen on loopback only, not \(app)")

        try await withNetworkLab { lab in
            try await Self.shapeLikeThePod(lab)
            let scratch = try TemporaryDirectory(prefix: "example-pod")
            let cert = try await TestCertificate(in: scratch.path, host: Self.host)
            // The Secret `ollama-tls` is mounted at /etc/nginx/tls in the pod; here it is a
            // throwaway certificate. Nothing else in the shipped file is changed.
            #expect(config.contains("/etc/nginx/tls/tls.crt") && config.contains("/etc/nginx/tls/tls.key"))
            let site = try scratch.write(
                "conf.d/default.conf",
                config.replacing("/etc/nginx/tls/tls.crt", with: cert.certificate)
                    .replacing("/etc/nginx/tls/tls.key", with: cert.key)
            )
            // The app: a loopback server at the proxy_pass address that echoes what nginx told it.
            let nginx = try TestNginx(
                namespace: lab.node,
                servers: """
                    server {
                        listen \(app);
                        location / {
                            return 200 "\(Self.appMarker) host=$host real=$http_x_real_ip xff=$http_x_forwarded_for proto=$http_x_forwarded_proto uri=$request_uri\\n";
                        }
                    }
                    """,
                serversInclude: site
            )
            try await nginx.start()
            defer { nginx.stop() }

            // Tailnet clients, IPv4 and IPv6: the app answers, told the real peer (a forged
            // X-Forwarded-For is replaced, not appended to) and the scheme.
            for (address, client) in [(NetworkLab.nodeTailnetIPv4, "100.64.0.2"), (NetworkLab.nodeTailnetIPv6, "fd7a:115c:a1e0::2")] {
                let tls = try await Self.request(lab, "https", address, headers: ["X-Forwarded-For: 100.64.9.9", "X-Real-IP: 100.64.9.9"])
                #expect(tls.status == 200, "https via \(address): \(tls.body)")
                #expect(
                    tls.body == "\(Self.appMarker) host=\(Self.host) real=\(client) xff=\(client) proto=https uri=/api/tags?q=1",
                    "https via \(address)"
                )
                let plain = try await Self.request(lab, "http", address)
                #expect(plain.status == 301, "http via \(address) redirects")
                #expect(plain.location == "https://\(Self.host)/api/tags?q=1")
            }

            // Other pods on the pod network, IPv4 and IPv6: 403 on both ports (no redirect that
            // would tell them the service exists), a forged tailnet X-Forwarded-For changes
            // nothing, and the app's own port is not reachable at all.
            for address in [Self.podIPv4, Self.podIPv6] {
                for scheme in ["https", "http"] {
                    let denied = try await Self.request(lab, scheme, address, headers: ["X-Forwarded-For: 100.64.0.2"])
                    #expect(denied.status == 403, "\(scheme) via the pod network \(address)")
                    #expect(!denied.body.contains(Self.appMarker))
                    #expect(denied.location.isEmpty)
                }
                let bracketed = address.contains(":") ? "[\(address)]" : address
                let direct = try await lab.inClient([
                    "curl", "-s", "--max-time", "10", "http://\(bracketed):\(app.split(separator: ":").last ?? "")/",
                ])
                #expect(direct.exitCode == 7, "the app's port via \(address) must refuse (curl exit 7), got \(direct.exitCode)")
            }

            // Loopback inside the pod (the other containers) is allowed.
            let local = try await lab.inNode([
                "curl", "-k", "-s", "--max-time", "10", "--resolve", "\(Self.host):443:127.0.0.1", "https://\(Self.host)/",
            ])
            #expect(local.standardOutput.hasPrefix(Self.appMarker), "\(local.standardOutput) \(local.standardError)")
        }
    }
}
