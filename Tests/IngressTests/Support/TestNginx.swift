import CharonSupport
import Glibc
import HostCommand
import TestSupport

/// A real nginx with its own prefix, config, pid file and logs under a temporary folder, optionally
/// inside a network namespace. Started daemonized: nginx binds its ports before it detaches, so
/// they are listening when ``start()`` returns.
///
/// ```swift
/// let nginx = try TestNginx(namespace: lab.node, servers: "server { listen 80; return 200 ok; }")
/// try await nginx.start()
/// defer { nginx.stop() }
/// ```
final class TestNginx {
    let prefix: String
    let namespace: String?
    private let scratch: TemporaryDirectory

    var configPath: String { "\(prefix)/nginx.conf" }
    var pidPath: String { "\(prefix)/nginx.pid" }

    /// `serversInclude` is a path included inside `http {}`; `servers` is inline text.
    init(namespace: String? = nil, servers: String = "", serversInclude: String? = nil) throws {
        scratch = try TemporaryDirectory(prefix: "nginx")
        prefix = scratch.path
        self.namespace = namespace
        try POSIXIO.makeDirectories("\(prefix)/logs")
        try scratch.write("nginx.conf", Self.mainConfig(prefix: prefix, servers: servers, include: serversInclude))
    }

    /// A complete main config: everything nginx would write goes under `prefix`; runs as root so
    /// the workers can use the root-owned temporary folders.
    static func mainConfig(prefix: String, servers: String, include: String?) -> String {
        """
        user root root;
        worker_processes 1;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/logs/error.log;
        events { worker_connections 64; }
        http {
            access_log \(prefix)/logs/access.log;
            client_body_temp_path \(prefix)/body;
            proxy_temp_path \(prefix)/proxy;
            fastcgi_temp_path \(prefix)/fastcgi;
            uwsgi_temp_path \(prefix)/uwsgi;
            scgi_temp_path \(prefix)/scgi;
            \(include.map { "include \($0);" } ?? "")
            \(servers)
        }

        """
    }

    /// The words that run nginx against this prefix (inside the namespace if any).
    var launcherWords: [String] {
        (namespace.map { ["ip", "netns", "exec", $0] } ?? []) + ["nginx", "-p", prefix, "-c", configPath]
    }

    func start() async throws {
        let output = try await HostCommand(executable: launcherWords[0]).run(Array(launcherWords.dropFirst()))
        guard output.succeeded else {
            throw LabError("nginx: \(output.standardError)")
        }
    }

    var pid: pid_t? {
        guard let bytes = try? POSIXIO.readFile(pidPath) else { return nil }
        return pid_t(String(decoding: bytes, as: UTF8.self).filter(\.isNumber))
    }

    /// SIGTERM to the master (fast shutdown), then waits up to 5 s for it to go.
    func stop() {
        guard let pid else { return }
        kill(pid, SIGTERM)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
    }

    deinit { stop() }

    func errorLog() -> String {
        (try? POSIXIO.readFile("\(prefix)/logs/error.log")).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// A throwaway self-signed certificate and key (P-256) for `host`.
struct TestCertificate {
    let certificate: String
    let key: String

    init(in directory: String, host: String = "localhost") async throws {
        certificate = "\(directory)/\(host).crt"
        key = "\(directory)/\(host).key"
        try await HostCommand(executable: "openssl").check([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(host)",
            "-addext", "subjectAltName=DNS:\(host)",
        ])
    }
}
