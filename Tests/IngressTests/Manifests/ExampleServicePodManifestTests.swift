import TestSupport
import Testing
import Yams

/// daemonset/example-statefulset.yaml, the pod users copy for every service: VPN-only pieces in
/// place (kernel-mode tailscale, nothing publishing the service on the pod network), the lifecycle
/// containers wired as charon-lifecycle expects, and a liveness probe on every long-running
/// container. ExampleServicePodLabTests checks the nginx config's behaviour.
struct ExampleServicePodManifestTests {
    typealias Object = [String: Any]

    static func objects() throws -> [Object] {
        try IngressManifestTests.load("example-statefulset.yaml")
    }

    static func pod() throws -> Object {
        let statefulSet = try #require(IngressManifestTests.find(try objects(), kind: "StatefulSet").first)
        return IngressManifestTests.podSpec(statefulSet)
    }

    static func container(_ name: String, in pod: Object) throws -> Object {
        let all = (pod["initContainers"] as? [Object] ?? []) + IngressManifestTests.containers(pod)
        return try #require(all.first { $0["name"] as? String == name }, "container \(name)")
    }

    static func environment(_ container: Object) -> [String: String] {
        var values: [String: String] = [:]
        for entry in container["env"] as? [Object] ?? [] {
            if let name = entry["name"] as? String { values[name] = entry["value"] as? String ?? "(from \(entry["valueFrom"] ?? "?"))" }
        }
        return values
    }

    @Test func noServicePublishesThePodOnThePodNetwork() throws {
        for service in IngressManifestTests.find(try Self.objects(), kind: "Service") {
            let spec = service["spec"] as? Object ?? [:]
            #expect(spec["clusterIP"] as? String == "None", "only a headless Service may exist")
            #expect((spec["ports"] as? [Object] ?? []).isEmpty, "a Service must not publish a port: \(spec)")
        }
    }

    @Test func tailscaleRunsInKernelModeSoNginxSeesTailnetAddresses() throws {
        let tailscale = try Self.container("tailscale", in: try Self.pod())
        let env = Self.environment(tailscale)
        #expect(env["TS_USERSPACE"] == "false")
        #expect(env["TS_ACCEPT_DNS"] == "false")
        #expect(env["TS_KUBE_SECRET"] == "")
        #expect(env["TS_AUTHKEY"] == "file:/tailscale-auth/authkey")
        let added = ((tailscale["securityContext"] as? Object)?["capabilities"] as? Object)?["add"] as? [String] ?? []
        #expect(added.contains("NET_ADMIN"))
        let mounts = (tailscale["volumeMounts"] as? [Object] ?? []).compactMap { $0["mountPath"] as? String }
        #expect(mounts.contains("/dev/net/tun"))
        #expect(env["TS_EXTRA_ARGS"]?.contains("--login-server=https://") == true)
    }

    @Test func theAppListensOnLoopbackOnly() throws {
        let env = Self.environment(try Self.container("ollama", in: try Self.pod()))
        #expect(env["OLLAMA_HOST"]?.hasPrefix("127.0.0.1:") == true)
    }

    @Test(arguments: ["lifecycle-cleanup", "lifecycle-dns-create"])
    func lifecycleContainersUseTheLocalImageAndSecretFiles(name: String) throws {
        let pod = try Self.pod()
        let container = try Self.container(name, in: pod)
        #expect(container["image"] as? String == "localhost/tailscale-lifecycle:latest")
        #expect(["Never", "IfNotPresent"].contains(container["imagePullPolicy"] as? String ?? "Always"))
        #expect(container["args"] as? [String] == [name == "lifecycle-cleanup" ? "cleanup" : "dns-create"])
        let env = Self.environment(container)
        #expect(env["HEADSCALE_URL"]?.hasPrefix("https://") == true)
        for (file, plain) in [("HEADSCALE_API_KEY_FILE", "HEADSCALE_API_KEY"), ("CLOUDFLARE_API_TOKEN_FILE", "CLOUDFLARE_API_TOKEN")] {
            #expect(env[file]?.hasPrefix("/") == true, "\(name): \(file)")
            #expect(env[plain] == nil, "\(name): secrets come from files, not \(plain)")
        }
        for required in ["TS_HOSTNAME", "HEADSCALE_USER", "DOMAIN_NAME"] {
            #expect(env[required]?.isEmpty == false, "\(name): \(required)")
        }
        // The cleanup runs before anything else of the pod; dns-create beside the app.
        let initNames = (pod["initContainers"] as? [Object] ?? []).compactMap { $0["name"] as? String }
        #expect(initNames.contains(name) == (name == "lifecycle-cleanup"))
    }

    @Test func everyLongRunningContainerHasALivenessProbe() throws {
        let containers = IngressManifestTests.containers(try Self.pod())
        #expect(containers.count == 4)
        for container in containers {
            #expect(container["livenessProbe"] is Object, "\(container["name"] ?? "?")")
        }
    }
}
