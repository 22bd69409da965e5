import CharonSupport
import Ingress
import Kubernetes
import TestSupport
import Testing
import Yams

/// What a cluster gets by applying an overlay of `daemonset/` as it is: on every node with the internal
/// controller, a tailscaled joined by charon, the nftables table in place before the controller
/// listens, and each privilege only where it is needed. Read from the manifests themselves.
struct DeploymentWiringTests {
    typealias Object = [String: Any]

    static func load(_ name: String) throws -> [Object] { try IngressManifestTests.load(name) }

    static func daemonSet(_ file: String, named name: String) throws -> Object {
        try #require(
            IngressManifestTests.find(try load(file), kind: "DaemonSet").first { ($0["metadata"] as? Object)?["name"] as? String == name }
        )
    }

    static func containers(_ pod: Object, init initContainers: Bool = false) -> [Object] {
        pod[initContainers ? "initContainers" : "containers"] as? [Object] ?? []
    }

    static func container(_ pod: Object, _ name: String) throws -> Object {
        try #require((containers(pod) + containers(pod, init: true)).first { $0["name"] as? String == name }, "container \(name)")
    }

    static func env(_ container: Object) -> [String: String] {
        var result: [String: String] = [:]
        for entry in container["env"] as? [Object] ?? [] {
            if let name = entry["name"] as? String, let value = entry["value"] as? String { result[name] = value }
        }
        return result
    }

    static func capabilities(_ container: Object) -> (add: Set<String>, drop: Set<String>) {
        let capabilities = (container["securityContext"] as? Object)?["capabilities"] as? Object
        return (Set(capabilities?["add"] as? [String] ?? []), Set(capabilities?["drop"] as? [String] ?? []))
    }

    /// A pod's tolerations as comparable lines (`key operator effect`).
    static func tolerations(_ pod: Object) -> [String] {
        (pod["tolerations"] as? [Object] ?? []).map { "\($0["key"] ?? "*") \($0["operator"] ?? "Equal") \($0["effect"] ?? "*")" }
    }

    static func volume(_ pod: Object, _ name: String) -> Object? {
        (pod["volumes"] as? [Object] ?? []).first { $0["name"] as? String == name }
    }

    /// mountPath → volume name.
    static func mounts(_ container: Object) -> [String: String] {
        var result: [String: String] = [:]
        for mount in container["volumeMounts"] as? [Object] ?? [] {
            if let path = mount["mountPath"] as? String, let name = mount["name"] as? String { result[path] = name }
        }
        return result
    }

    /// The volume and the path inside it that `path` falls in, in `container`.
    static func resolve(_ path: String, in container: Object) -> (volume: String, rest: String)? {
        let candidates = mounts(container).filter { path == $0.key || path.hasPrefix($0.key + "/") }
        guard let mount = candidates.max(by: { $0.key.count < $1.key.count }) else { return nil }
        return (mount.value, String(path.dropFirst(mount.key.count)))
    }

    var agentPod: Object { get throws { IngressManifestTests.podSpec(try Self.daemonSet("base/agent-daemonset.yaml", named: "charon-node")) } }
    var controllerPod: Object {
        get throws { IngressManifestTests.podSpec(try Self.daemonSet(IngressManifestTests.internalFile, named: "ingress-nginx-internal")) }
    }

    @Test func tailscaledRunsInKernelModeOnTheHostAndCharonJoinsItThroughItsSocket() throws {
        let pod = try agentPod
        #expect(pod["hostNetwork"] as? Bool == true)
        let tailscaled = try Self.container(pod, "tailscaled")
        let image = tailscaled["image"] as? String ?? ""
        #expect(image.hasPrefix("docker.io/tailscale/tailscale:v") || image.contains("@sha256:"), "the official image, pinned: \(image)")
        #expect(!image.hasSuffix(":latest") && !image.hasSuffix(":stable"))
        let command = tailscaled["command"] as? [String] ?? []
        #expect(command.first == "tailscaled")
        #expect(command.contains("--tun=tailscale0"), "kernel mode: the host's tailscale0")
        #expect(!command.contains { $0.contains("userspace-networking") })
        // State on tailscaled's own small hostPath, beside (not under) the agent's folder.
        let state = try #require(command.first { $0.hasPrefix("--statedir=") }).dropFirst("--statedir=".count)
        let stateVolume = try #require(Self.resolve(String(state), in: tailscaled))
        let stateHostPath = Self.volume(pod, stateVolume.volume)?["hostPath"] as? Object
        #expect(stateHostPath?["path"] as? String == Self.tailscaledStateHostPath)
        #expect(stateHostPath?["type"] as? String == "DirectoryOrCreate")
        // /dev/net/tun from the host, NET_ADMIN, not privileged.
        let tun = try #require(Self.resolve("/dev/net/tun", in: tailscaled).flatMap { Self.volume(pod, $0.volume)?["hostPath"] as? Object })
        #expect(tun["path"] as? String == "/dev/net/tun")
        // Unchecked, so a node without it stops tailscaled alone, not the agent's pod.
        #expect(tun["type"] == nil)
        #expect(Self.capabilities(tailscaled).add == ["NET_ADMIN"])
        #expect((tailscaled["securityContext"] as? Object)?["privileged"] as? Bool != true)
        // NET_ADMIN is enough only with tailscaled on nftables: left to auto-detection it takes
        // the image's iptables-legacy, which needs NET_RAW for its raw socket (tailscale's
        // util/linuxfw/detector.go, v1.102.3). Either both change together or neither.
        #expect(
            Self.env(tailscaled)["TS_DEBUG_FIREWALL_MODE"] == "nftables",
            "with only NET_ADMIN, tailscaled must be told to use nftables, not iptables"
        )

        // The agent's tailscale CLI is copied out of the same image, and its socket is tailscaled's.
        let agent = try Self.container(pod, "agent")
        let environment = Self.env(agent)
        let copier = try #require(Self.containers(pod, init: true).first { ($0["command"] as? [String])?.first == "cp" })
        #expect(copier["image"] as? String == image)
        let copied = try #require((copier["command"] as? [String])?.last)
        let binary = try #require(environment["TAILSCALE_BIN"])
        #expect(Self.resolve(binary, in: agent).map { [$0.volume, $0.rest] } == Self.resolve(copied, in: copier).map { [$0.volume, $0.rest] })
        let socket = try #require(command.first { $0.hasPrefix("--socket=") }).dropFirst("--socket=".count)
        let agentSocket = try #require(environment["TAILSCALE_SOCKET"])
        let shared = try #require(Self.resolve(String(socket), in: tailscaled))
        #expect(Self.resolve(agentSocket, in: agent).map { [$0.volume, $0.rest] } == [shared.volume, shared.rest])

        // Ready only while tailscaled answers on that very socket, whether or not it is joined
        // (readiness tied to the join would stall rollouts on nodes without the ingress).
        let readiness = try #require((tailscaled["readinessProbe"] as? Object)?["exec"] as? Object, "an exec readiness probe")
        let probe = readiness["command"] as? [String] ?? []
        #expect(probe.first == "tailscale" && probe.contains("--socket=\(socket)") && probe.contains("status"), "\(probe)")
        #expect(!probe.contains { $0.hasPrefix("--auth-key") || $0 == "up" || $0 == "login" })
    }

    /// tailscaled's host folder: mounted into tailscaled and nowhere else.
    static let tailscaledStateHostPath = "/var/lib/charon-node-tailscale"

    /// The agent (and its image builds) never reach tailscaled's node key: the key's host folder
    /// is tailscaled's alone, and not inside the agent's /var/lib/charon-node.
    @Test func theAgentNeverMountsTailscaledsNodeKey() throws {
        let pod = try agentPod
        let tailscaled = try Self.container(pod, "tailscaled")
        let stateFile = try #require((tailscaled["command"] as? [String] ?? []).first { $0.hasPrefix("--state=") }).dropFirst("--state=".count)
        let state = try #require(Self.resolve(String(stateFile), in: tailscaled))
        #expect((Self.volume(pod, state.volume)?["hostPath"] as? Object)?["path"] as? String == Self.tailscaledStateHostPath)
        for container in Self.containers(pod) + Self.containers(pod, init: true) where container["name"] as? String != "tailscaled" {
            let name = container["name"] as? String ?? "?"
            for volumeName in Self.mounts(container).values {
                #expect(volumeName != state.volume, "\(name) mounts tailscaled's state")
                guard let hostPath = (Self.volume(pod, volumeName)?["hostPath"] as? Object)?["path"] as? String else { continue }
                #expect(
                    hostPath != Self.tailscaledStateHostPath && !Self.tailscaledStateHostPath.hasPrefix(hostPath + "/"),
                    "\(name) mounts \(hostPath), which holds tailscaled's state"
                )
            }
        }
        #expect(Self.mounts(try Self.container(pod, "agent")).values.contains("state"), "the agent still has its own folder")
    }

    /// The agent reads the API with a token mounted into it alone, where its client looks.
    @Test func theAgentsAPICredentialsAreItsAlone() throws {
        let pod = try agentPod
        #expect(pod["automountServiceAccountToken"] as? Bool == false, "no automatic token in tailscaled or the init container")
        let agent = try Self.container(pod, "agent")
        let configuration = try #require(KubernetesConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]))
        let tokenFile = try #require(configuration.tokenFile)
        let caFile = try #require(configuration.caFile)
        let token = try #require(Self.resolve(tokenFile, in: agent))
        let ca = try #require(Self.resolve(caFile, in: agent))
        #expect(token.volume == ca.volume)
        let sources = ((Self.volume(pod, token.volume)?["projected"] as? Object)?["sources"] as? [Object]) ?? []
        let serviceAccountToken = try #require(sources.compactMap { $0["serviceAccountToken"] as? Object }.first)
        #expect("/\(serviceAccountToken["path"] as? String ?? "?")" == token.rest)
        #expect(serviceAccountToken["expirationSeconds"] as? Int == 3607, "kubelet's own lifetime; kubelet rotates it")
        let caConfigMap = try #require(sources.compactMap { $0["configMap"] as? Object }.first)
        #expect(caConfigMap["name"] as? String == "kube-root-ca.crt")
        #expect((caConfigMap["items"] as? [Object])?.map { "/\($0["path"] as? String ?? "?")" } == [ca.rest])
        for container in Self.containers(pod) + Self.containers(pod, init: true) where container["name"] as? String != "agent" {
            #expect(!Self.mounts(container).values.contains(token.volume), "\(container["name"] ?? "?") mounts the agent's token")
        }
    }

    /// The `settings` check compares the environment with the ConfigMap it came from: the folder
    /// it reads must be that very ConfigMap, mounted whole, read-only.
    @Test func theSettingsFolderIsTheConfigMapTheEnvironmentComesFrom() throws {
        let pod = try agentPod
        let agent = try Self.container(pod, "agent")
        let sources = (agent["envFrom"] as? [Object] ?? []).compactMap { ($0["configMapRef"] as? Object)?["name"] as? String }
        #expect(sources == ["charon-node"])
        let folder = try #require(Self.env(agent)["SETTINGS_DIRECTORY"])
        let mounted = try #require(Self.resolve(folder, in: agent), "SETTINGS_DIRECTORY \(folder) is not mounted")
        #expect(mounted.rest.isEmpty, "the mount is the folder itself")
        let configMap = try #require(Self.volume(pod, mounted.volume)?["configMap"] as? Object)
        #expect(configMap["name"] as? String == sources.first)
        #expect(configMap["items"] == nil, "every key, not a selection")
        let mount = (agent["volumeMounts"] as? [Object] ?? []).first { $0["mountPath"] as? String == folder }
        #expect(mount?["readOnly"] as? Bool == true)
        #expect(mount?["subPath"] == nil, "kubelet does not update subPath mounts")
    }

    @Test func theAgentRunsTheIngressStepsWithWhatTheyNeed() async throws {
        let pod = try agentPod
        let agent = try Self.container(pod, "agent")
        let configMap = try #require(IngressManifestTests.find(try Self.load("base/agent-configmap.yaml"), kind: "ConfigMap").first)
        let data = configMap["data"] as? [String: String] ?? [:]
        let fromConfigMap = (agent["envFrom"] as? [Object] ?? []).compactMap { ($0["configMapRef"] as? Object)?["name"] as? String }
        #expect(fromConfigMap == [(configMap["metadata"] as? Object)?["name"] as? String ?? "?"])
        // Off in the base (it alone joins nothing); each ingress component turns it on for its controller.
        #expect(data["INGRESS_ENABLED"] == "false")
        for (component, controller) in [("ingress-traefik", "traefik"), ("ingress-nginx", "ingress-nginx")] {
            let settings = try KustomizationTests.agentSettings(try await KustomizationTests.render("daemonset/components/\(component)"))
            #expect(settings["INGRESS_ENABLED"] == "true", "\(component)")
            #expect(settings["INGRESS_CONTROLLER"] == controller, "\(component)")
        }
        for key in ["HEADSCALE_URL", "HEADSCALE_LOGIN_SERVER", "HEADSCALE_USER", "DOMAIN_NAME"] {
            #expect(data[key]?.isEmpty == false, "\(key)")
        }
        // The firewall: NET_ADMIN and nothing else, on a read-only root.
        #expect(Self.capabilities(agent).add == ["NET_ADMIN"])
        #expect(Self.capabilities(agent).drop == ["ALL"])
        #expect((agent["securityContext"] as? Object)?["readOnlyRootFilesystem"] as? Bool == true)
        // Secrets as files from an optional Secret, never as values in the environment.
        let environment = Self.env(agent)
        #expect(environment["HEADSCALE_API_KEY"] == nil && environment["CLOUDFLARE_API_TOKEN"] == nil)
        #expect(data["HEADSCALE_API_KEY"] == nil && data["CLOUDFLARE_API_TOKEN"] == nil)
        for variable in ["HEADSCALE_API_KEY_FILE", "CLOUDFLARE_API_TOKEN_FILE"] {
            let path = try #require(environment[variable], "\(variable)")
            let secret = try #require(Self.resolve(path, in: agent).flatMap { Self.volume(pod, $0.volume)?["secret"] as? Object })
            #expect(secret["optional"] as? Bool == true, "a missing Secret fails the ingress check, not the pod")
        }
        // The key folder is memory, the state folder charon's own.
        let keys = try #require(environment["INGRESS_KEY_DIRECTORY"])
        let keyVolume = try #require(Self.resolve(keys, in: agent).flatMap { Self.volume(pod, $0.volume) })
        #expect((keyVolume["emptyDir"] as? Object)?["medium"] as? String == "Memory")
        let output = try #require(data["IMAGE_OUTPUT"])
        let stateVolume = try #require(Self.resolve(output, in: agent).flatMap { Self.volume(pod, $0.volume) })
        #expect((stateVolume["hostPath"] as? Object)?["path"] as? String == "/var/lib/charon-node")
        #expect((stateVolume["hostPath"] as? Object)?["type"] as? String == "DirectoryOrCreate")
    }

    /// No hostPath wider than charon's own: never the host's whole /var/lib or /. Every workload we
    /// ship, as kustomize renders it; tailscaled's state folder only in tailscaled.
    @Test func hostPathsAreNarrow() async throws {
        var problems: Set<String> = []  // one line per problem, however many renders show it
        var tailscaledMounts = 0
        for workload in try await PodHardeningTests.all() {
            let pod = workload.pod
            for volume in pod["volumes"] as? [Object] ?? [] {
                guard let path = (volume["hostPath"] as? Object)?["path"] as? String else { continue }
                let allowed =
                    path == "/var/lib/charon-node" || path.hasPrefix("/var/lib/charon-node/")
                    || [Self.tailscaledStateHostPath, "/run/containerd/containerd.sock", "/dev/net/tun"].contains(path)
                if !allowed { problems.insert("\(workload.id): hostPath \(path)") }
                guard path == Self.tailscaledStateHostPath else { continue }
                for container in Self.containers(pod) + Self.containers(pod, init: true)
                where Self.mounts(container).values.contains(volume["name"] as? String ?? "?") {
                    if container["name"] as? String == "tailscaled" {
                        tailscaledMounts += 1
                    } else if workload.id.hasSuffix("/charon-node-uninstall") && container["name"] as? String == "uninstall" {
                        continue  // `charon-node uninstall` removes that folder; tailscaled is gone by then
                    } else {
                        problems.insert("\(workload.id)/\(container["name"] ?? "?") mounts \(path), tailscaled's alone")
                    }
                }
            }
        }
        for problem in problems.sorted() { Issue.record("\(problem)") }
        #expect(tailscaledMounts >= 1, "tailscaled mounts its state folder")
    }

    @Test func theControllerNeverListensBeforeTheTableIsInPlace() throws {
        let pod = try controllerPod
        #expect(pod["hostNetwork"] as? Bool == true, "the init container's table is the host's")
        let gate = try #require(Self.containers(pod, init: true).first, "an init container runs first")
        // The gate as a native sidecar (mirrors TraefikManifestTests' gate check for that change).
        #expect(gate["args"] as? [String] == ["ingress", "firewall", "--watch"])
        #expect(gate["restartPolicy"] as? String == "Always", "a native sidecar: it keeps the table while the controller runs")
        let probe = ((gate["startupProbe"] as? Object)?["exec"] as? Object)?["command"] as? [String]
        #expect(probe == ["/usr/local/bin/charon-node", "ingress", "firewall", "--check"], "the controller starts once the table is in")
        let agent = try Self.container(try agentPod, "agent")
        #expect(gate["image"] as? String == agent["image"] as? String, "the same charon-node image as the agent")
        #expect(Self.capabilities(gate).add == ["NET_ADMIN"])
        // It installs the same policy the agent keeps: the same Tailscale interface as tailscaled.
        let tailscaled = try Self.container(try agentPod, "tailscaled")
        let tun = (tailscaled["command"] as? [String] ?? []).first { $0.hasPrefix("--tun=") }?.dropFirst("--tun=".count)
        #expect(Self.env(gate)["TAILSCALE_INTERFACE"].map { Substring($0) } == tun)
        #expect(try FirewallPolicy(tailscaleInterface: String(tun ?? "")) == FirewallPolicy())
        // nft writes its script to /tmp: writable there on a read-only root.
        #expect(Self.mounts(gate)["/tmp"] != nil)
        // Only the gate holds NET_ADMIN in the controller's pod; the controller binds 80/443.
        for container in Self.containers(pod) {
            #expect(!Self.capabilities(container).add.contains("NET_ADMIN"), "\(container["name"] ?? "?")")
        }
        // The same nodes as the agent, so every controller has a joined tailscaled beside it.
        #expect(Self.tolerations(pod) == Self.tolerations(try agentPod))
        let ingressClass = try #require(IngressManifestTests.find(try Self.load(IngressManifestTests.internalFile), kind: "IngressClass").first)
        let annotations = (ingressClass["metadata"] as? Object)?["annotations"] as? [String: String] ?? [:]
        #expect(annotations["ingressclass.kubernetes.io/is-default-class"] == "true")
    }

    /// NET_ADMIN exactly where the node's network is changed: the agent, tailscaled, the gates.
    @Test func netAdminOnlyWhereItIsNeeded() throws {
        var holders: Set<String> = []
        for file in [
            "base/agent-daemonset.yaml", IngressManifestTests.internalFile, IngressManifestTests.externalFile, "example-statefulset.yaml",
            "components/ingress-traefik/ingress-internal-traefik.yaml",
        ] {
            for object in try Self.load(file) {
                let pod = IngressManifestTests.podSpec(object)
                for container in Self.containers(pod) + Self.containers(pod, init: true) {
                    let name = "\((object["metadata"] as? Object)?["name"] ?? "?")/\(container["name"] ?? "?")"
                    #expect((container["securityContext"] as? Object)?["privileged"] as? Bool != true, "\(name) is privileged")
                    if Self.capabilities(container).add.contains("NET_ADMIN"), file != "example-statefulset.yaml" { holders.insert(name) }
                }
            }
        }
        #expect(
            holders == ["charon-node/agent", "charon-node/tailscaled", "ingress-nginx-internal/charon-firewall", "traefik-internal/charon-firewall"]
        )
    }

    @Test func theAgentMayPatchOnlyItsOwnNodesCharonConditions() throws {
        let role = try #require(IngressManifestTests.find(try Self.load("base/agent-rbac.yaml"), kind: "ClusterRole").first)
        let rules = role["rules"] as? [Object] ?? []
        #expect(rules.count == 1)
        #expect(rules.first?["resources"] as? [String] == ["nodes/status"])
        #expect(rules.first?["verbs"] as? [String] == ["patch"])
        // The policy is a component of its own (Kubernetes 1.30+), in both overlays.
        let objects = try Self.load("components/admission-policy/admission-policy.yaml")
        let policy = try #require(IngressManifestTests.find(objects, kind: "ValidatingAdmissionPolicy").first)
        let spec = policy["spec"] as? Object ?? [:]
        let matched = (spec["matchConditions"] as? [Object] ?? []).compactMap { $0["expression"] as? String }.joined()
        #expect(matched.contains("system:serviceaccount:charon-system:charon-node"))
        let rule = ((spec["matchConstraints"] as? Object)?["resourceRules"] as? [Object])?.first
        #expect(rule?["resources"] as? [String] == ["nodes/status"])
        let validations = (spec["validations"] as? [Object] ?? []).compactMap { $0["expression"] as? String }.joined(separator: "\n")
        #expect(validations.contains("authentication.kubernetes.io/node-name"))
        #expect(validations.contains("object.metadata.name"))
        let variables = (spec["variables"] as? [Object] ?? []).compactMap { $0["expression"] as? String }.joined()
        #expect(variables.contains("startsWith('Charon')"))
        let binding = try #require(IngressManifestTests.find(objects, kind: "ValidatingAdmissionPolicyBinding").first)
        #expect((binding["spec"] as? Object)?["policyName"] as? String == (policy["metadata"] as? Object)?["name"] as? String)
        #expect((binding["spec"] as? Object)?["validationActions"] as? [String] == ["Deny"])
    }

    /// The bare-host unit gives the join a private runtime folder and the tarball a state folder.
    @Test func theUnitHasItsOwnStateAndRuntimeFolders() throws {
        let unit = String(decoding: try POSIXIO.readFile("\(BuiltProducts.packageRoot)/systemd/charon-node.service"), as: UTF8.self)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        #expect(
            lines.isSuperset(of: ["RuntimeDirectory=charon-node", "RuntimeDirectoryMode=0700", "StateDirectory=charon-node", "ProtectSystem=strict"])
        )
        #expect(!lines.contains("ReadWritePaths=/var/lib"))
    }
}
