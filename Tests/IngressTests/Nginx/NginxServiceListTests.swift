import Ingress
import TestSupport
import Testing

struct NginxServiceListTests {
    func list(host: String = "app.example.com", upstream: String = "http://127.0.0.1:8081", certificate: String, key: String) -> NginxServiceList {
        NginxServiceList(services: [NginxService(host: host, upstream: upstream, certificate: certificate, key: key)])
    }

    @Test func hostsThatWouldInjectDirectivesOrAreNotDNSNamesAreRefused() throws {
        let scratch = try TemporaryDirectory()
        let cert = try scratch.write("c.pem", "x")
        let key = try scratch.write("k.pem", "x")
        for host in [
            "app.example.com; return 200", "app.example.com;", "app{", "app.example.com }", "app example.com",
            "\"app\"", "app'", "app.example.com\n", "app\tx", "$host", "-app.example.com", "app_1.example.com",
            "", "a..b", "app.example.com.", String(repeating: "a", count: 64) + ".com",
        ] {
            #expect(throws: NginxConfigError.self, "\(host)") { try list(host: host, certificate: cert, key: key).validated() }
        }
        let error = #expect(throws: NginxConfigError.self) { try list(host: "a.com; return 200", certificate: cert, key: key).validated() }
        #expect(error?.description == #"service 1: host "a.com; return 200" is not a DNS name (letters, digits, hyphens and dots only)"#)
        #expect(try list(host: "App.Example.COM", certificate: cert, key: key).validated().services[0].host == "app.example.com")
    }

    @Test func upstreamsAndPathsAreSingleTokens() throws {
        let scratch = try TemporaryDirectory()
        let cert = try scratch.write("c.pem", "x")
        let key = try scratch.write("k.pem", "x")
        for upstream in ["http://127.0.0.1:8081", "https://app.internal", "http://[::1]:3000/base/", "http://app:80/x"] {
            #expect(throws: Never.self, "\(upstream)") { try list(upstream: upstream, certificate: cert, key: key).validated() }
        }
        for upstream in [
            "127.0.0.1:8081", "http://a;b", "http://a b", "http://a/$host", "http://a:99999", "http://a/x;y", "ftp://a", "http://a/?q=1",
            "http://[::1",
        ] {
            #expect(throws: NginxConfigError.self, "\(upstream)") { try list(upstream: upstream, certificate: cert, key: key).validated() }
        }
        #expect(throws: NginxConfigError.self) { try list(certificate: "relative.pem", key: key).validated() }
        #expect(throws: NginxConfigError.self) { try list(certificate: cert + ";", key: key).validated() }
    }

    @Test func missingCertificateIsAClearError() throws {
        let scratch = try TemporaryDirectory()
        let key = try scratch.write("k.pem", "x")
        let error = #expect(throws: NginxConfigError.self) {
            try list(certificate: "\(scratch.path)/missing.crt", key: key).validated()
        }
        #expect(error?.description == "service 1: app.example.com: certificate \(scratch.path)/missing.crt: No such file or directory")
    }

    @Test func duplicateHostsAndEmptyListsAreRefused() throws {
        let scratch = try TemporaryDirectory()
        let cert = try scratch.write("c.pem", "x")
        let service = NginxService(host: "a.example.com", upstream: "http://127.0.0.1:1", certificate: cert, key: cert)
        var upper = service
        upper.host = "A.example.com"
        #expect(throws: NginxConfigError.self) { try NginxServiceList(services: [service, upper]).validated() }
        #expect(throws: NginxConfigError.self) { try NginxServiceList(services: []).validated() }
    }

    @Test func yamlAndJSONLoadAndTyposAreRefused() throws {
        let yaml = try NginxServiceList.parse(
            """
            services:
              - host: grafana.example.com
                upstream: http://127.0.0.1:3000
                certificate: /etc/ssl/g.crt
                key: /etc/ssl/g.key
            """
        )
        let json = try NginxServiceList.parse(
            """
            {"services": [{"host": "grafana.example.com", "upstream": "http://127.0.0.1:3000", "certificate": "/etc/ssl/g.crt", "key": "/etc/ssl/g.key"}]}
            """
        )
        #expect(yaml == json)
        #expect(yaml.services.first?.upstream == "http://127.0.0.1:3000")
        let typo = #expect(throws: NginxConfigError.self) {
            try NginxServiceList.parse("services:\n  - host: a.example.com\n    upstream: http://x\n    certficate: /c\n    key: /k\n")
        }
        #expect(typo?.description == #"service 1: unknown key "certficate""#)
        #expect(throws: NginxConfigError.self) { try NginxServiceList.parse("services:\n  - host: a.example.com\n") }
        #expect(throws: NginxConfigError.self) { try NginxServiceList.parse("[1, 2]") }
    }

    @Test func renderedBlocksAllowOnlyTheTailnetAndLoopback() throws {
        let text = NginxConfigRenderer().render(
            NginxServiceList(services: [
                NginxService(host: "app.example.com", upstream: "http://127.0.0.1:8081", certificate: "/c.pem", key: "/k.pem")
            ])
        )
        for line in [
            "allow 100.64.0.0/10;", "allow fd7a:115c:a1e0::/48;", "allow 127.0.0.0/8;", "allow ::1/128;", "deny all;",
            "server_name app.example.com;", "ssl_certificate /c.pem;", "ssl_certificate_key /k.pem;",
            "proxy_pass http://127.0.0.1:8081;", "proxy_set_header X-Forwarded-For $remote_addr;",
            "return 308 https://$host$request_uri;", "listen [::]:443 ssl;",
        ] {
            #expect(text.contains(line), "\(line)")
        }
        #expect(text.hasPrefix(NginxConfigRenderer.header))
    }
}
