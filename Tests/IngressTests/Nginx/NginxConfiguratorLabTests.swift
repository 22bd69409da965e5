import CharonSupport
import Ingress
import TestSupport
import Testing

/// Rendered server blocks in a real nginx: `nginx -t`, atomic swap and reload, and the allowlist
/// seen from an allowed source (tailnet address, loopback) and a disallowed one (a LAN address).
@Suite(
    .serialized,
    .enabled(
        if: TestEnvironment.isCI || Prerequisites.available(["ip", "nginx", "curl", "openssl"]),
        "needs root, ip, nginx, curl and openssl"
    )
)
struct NginxConfiguratorLabTests {
    static let host = "app.example.com"

    /// nginx in the lab's node namespace whose main config includes `output`, plus a loopback
    /// upstream that echoes what the proxy told it.
    struct Site {
        let nginx: TestNginx
        let output: String
        let configurator: NginxConfigurator
        let list: NginxServiceList

        init(lab: NetworkLab, scratch: TemporaryDirectory) async throws {
            let cert = try await TestCertificate(in: scratch.path, host: NginxConfiguratorLabTests.host)
            output = try scratch.write("conf.d/charon-ingress.conf", "# empty until installed\n")
            // The host's own http-level settings: a candidate that repeats one clashes only here.
            nginx = try TestNginx(
                namespace: lab.node,
                servers: """
                    ssl_session_timeout 5m;
                    server {
                        listen 127.0.0.1:8081;
                        location / { return 200 "upstream-ok xff=$http_x_forwarded_for real=$http_x_real_ip proto=$http_x_forwarded_proto\\n"; }
                    }
                    """,
                serversInclude: output
            )
            configurator = NginxConfigurator(
                output: output,
                nginx: CommandLauncher(lab.nodeLauncherWords + ["nginx"]),
                prefix: nginx.prefix,
                mainConfig: nginx.configPath
            )
            list = try NginxServiceList(services: [
                NginxService(host: NginxConfiguratorLabTests.host, upstream: "http://127.0.0.1:8081", certificate: cert.certificate, key: cert.key)
            ]).validated()
        }
    }

    /// `curl` from the lab's client namespace to `address`, with the Host/SNI of the service.
    func request(_ lab: NetworkLab, _ scheme: String, _ address: String, headers: [String] = []) async throws -> (status: Int, body: String) {
        let port = scheme == "https" ? 443 : 80
        let bracketed = address.contains(":") ? "[\(address)]" : address
        var arguments = ["curl", "-k", "-s", "--max-time", "5", "-w", "\n%{http_code}", "--resolve", "\(Self.host):\(port):\(bracketed)"]
        for header in headers { arguments += ["-H", header] }
        let output = try await lab.inClient(arguments + ["\(scheme)://\(Self.host)/path?q=1"])
        guard output.succeeded else { throw LabError("curl \(scheme) \(address): exit \(output.exitCode) \(output.standardError)") }
        let lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func renderedConfigPassesNginxTestAlone() async throws {
        let scratch = try TemporaryDirectory()
        let cert = try await TestCertificate(in: scratch.path, host: Self.host)
        let list = try NginxServiceList(services: [
            NginxService(host: Self.host, upstream: "http://127.0.0.1:8081", certificate: cert.certificate, key: cert.key),
            NginxService(host: "grafana.example.com", upstream: "https://[::1]:3000/", certificate: cert.certificate, key: cert.key),
        ]).validated()
        let configurator = NginxConfigurator(output: "\(scratch.path)/unused.conf")
        try await configurator.checkAlone(NginxConfigRenderer().render(list))
    }

    @Test func allowedSourcesAreServedOthersGet403() async throws {
        try await withNetworkLab { lab in
            let scratch = try TemporaryDirectory(prefix: "nginx-site")
            let site = try await Site(lab: lab, scratch: scratch)
            try await site.nginx.start()
            defer { site.nginx.stop() }
            #expect(try await site.configurator.install(NginxConfigRenderer().render(site.list)) == .installed)
            #expect(try await site.configurator.install(NginxConfigRenderer().render(site.list)) == .unchanged)

            // Allowed: tailnet addresses, IPv4 and IPv6. A client-sent X-Forwarded-For is replaced.
            for address in [NetworkLab.nodeTailnetIPv4, NetworkLab.nodeTailnetIPv6] {
                let tls = try await request(lab, "https", address, headers: ["X-Forwarded-For: 100.64.9.9"])
                #expect(tls.status == 200, "https via \(address)")
                #expect(
                    tls.body.hasPrefix("upstream-ok xff=\(address == NetworkLab.nodeTailnetIPv4 ? "100.64.0.2" : "fd7a:115c:a1e0::2")"),
                    "\(tls.body)"
                )
                #expect(tls.body.contains("proto=https"))
                let plain = try await request(lab, "http", address)
                #expect(plain.status == 308, "http via \(address) redirects")
            }
            // Disallowed: the LAN side, IPv4 and IPv6, on both ports — 403, and no redirect leak.
            for address in [NetworkLab.nodePublicIPv4, NetworkLab.nodePublicIPv6] {
                #expect(try await request(lab, "https", address).status == 403, "https via \(address)")
                #expect(try await request(lab, "http", address).status == 403, "http via \(address)")
            }
            // Loopback on the node itself is allowed.
            let local = try await lab.inNode([
                "curl", "-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--resolve", "\(Self.host):443:127.0.0.1", "https://\(Self.host)/",
            ])
            #expect(local.standardOutput == "200")
        }
    }

    @Test func aBadConfigNeverReplacesAGoodOne() async throws {
        try await withNetworkLab { lab in
            let scratch = try TemporaryDirectory(prefix: "nginx-bad")
            let site = try await Site(lab: lab, scratch: scratch)
            try await site.nginx.start()
            defer { site.nginx.stop() }
            let good = NginxConfigRenderer().render(site.list)
            try await site.configurator.install(good)

            // A certificate file that exists but is not PEM: the input checks pass, nginx -t does not.
            let garbage = try scratch.write("garbage.crt", "not a certificate\n")
            var broken = site.list
            broken.services[0].certificate = garbage
            let error = await #expect(throws: NginxConfigError.self) {
                try await site.configurator.install(NginxConfigRenderer().render(broken))
            }
            #expect(error?.description.contains("nginx -t refused the new config") == true)
            #expect(error?.description.contains("garbage.crt") == true)
            #expect(String(decoding: try POSIXIO.readFile(site.output), as: UTF8.self) == good)

            // Valid alone but clashing with the host's config (ssl_session_timeout twice in http {}):
            // the full nginx -t fails after the swap and the previous file is put back.
            let clash = good + "\nssl_session_timeout 10m;\n"
            try await site.configurator.checkAlone(clash)
            await #expect(throws: NginxConfigError.self) { try await site.configurator.install(clash) }
            #expect(String(decoding: try POSIXIO.readFile(site.output), as: UTF8.self) == good)

            // nginx kept serving the good config throughout.
            #expect(try await request(lab, "https", NetworkLab.nodeTailnetIPv4).status == 200)
            #expect(try await request(lab, "https", NetworkLab.nodePublicIPv4).status == 403)
        }
    }
}
