import CharonSupport
import Glibc
import Kubernetes
import TestSupport
import Testing
import Yams

extension DeploymentWiringTests {
    /// The hardening every pod we ship must have, checked on every workload of every
    /// kustomization under `daemonset/` as real kustomize renders it (patches and release pins
    /// included), and on the manifests that are in no kustomization (example-statefulset.yaml):
    ///
    /// - the pod runs under the runtime's seccomp profile (`RuntimeDefault`, set on the pod);
    /// - no automatic service-account token (`automountServiceAccountToken: false`); a projected
    ///   token, CA and namespace at the in-cluster path only in the containers that call the API;
    /// - CPU and memory requests and limits on every container, init containers included;
    /// - every image pinned to a version tag (a digest is optional and must be sha256), except
    ///   node-local `localhost/` images, which are never pulled;
    /// - every tailscale container has a readiness probe;
    /// - tailscaled's state (its node key) is mounted into tailscaled alone.
    ///
    /// Nested in DeploymentWiringTests so that `--filter DeploymentWiringTests` runs it too.
    struct PodHardeningTests {
        typealias Object = [String: Any]

        // MARK: - What the checks apply to

        /// The containers that call the Kubernetes API (`namespace/workload/container`): only these
        /// may hold a service-account token. Everything else (tailscaled, the tailscale-cli copy,
        /// the firewall gates, the example's containers) gets none.
        static let apiCallers: Set<String> = [
            "charon-system/charon-node/agent",  // Node status, the fleet Lease, the controller's config
            "charon-system/charon-node-uninstall/uninstall",  // removes its Node's Charon* conditions
            "ingress-nginx/ingress-nginx-internal/controller",
            "traefik-external/traefik-external/traefik",
            "traefik-internal/traefik-internal/traefik",
        ]

        /// Workloads the checks must see, so that a rendering that yields nothing cannot pass.
        static let shipped: Set<String> = [
            "charon-system/charon-node", "ingress-nginx/ingress-nginx-internal", "traefik-external/traefik-external",
            "traefik-internal/traefik-internal", "charon-example/ollama",
        ]

        /// The path every in-cluster client reads (KubernetesConfiguration, client-go).
        static let serviceAccountPath = KubernetesConfiguration.serviceAccountDirectory
        /// What kubelet's own kube-api-access volume requests.
        static let tokenExpirationSeconds = 3607

        struct Workload {
            /// `namespace/name`.
            var id: String
            var kind: String
            var pod: Object
            /// The kustomization folder or the file it came from.
            var source: String

            func subject(_ container: Object) -> String { "\(id)/\(container["name"] as? String ?? "?")" }
            var allContainers: [Object] { DeploymentWiringTests.containers(pod, init: true) + DeploymentWiringTests.containers(pod) }
        }

        /// The pod template of any workload kind, or nil for objects that run nothing.
        static func podSpec(_ object: Object) -> Object? {
            let spec = object["spec"] as? Object
            switch object["kind"] as? String {
            case "Pod": return spec
            case "CronJob":
                return (((spec?["jobTemplate"] as? Object)?["spec"] as? Object)?["template"] as? Object)?["spec"] as? Object
            default: return (spec?["template"] as? Object)?["spec"] as? Object
            }
        }

        static func workloads(in objects: [Object], source: String) -> [Workload] {
            objects.compactMap { object in
                guard let pod = podSpec(object), pod["containers"] != nil else { return nil }
                let metadata = object["metadata"] as? Object ?? [:]
                let id = "\(metadata["namespace"] as? String ?? "default")/\(metadata["name"] as? String ?? "?")"
                return Workload(id: id, kind: object["kind"] as? String ?? "?", pod: pod, source: source)
            }
        }

        /// Manifests under daemonset/ that no kustomization lists (paths relative to daemonset/).
        static func notInstalledManifests() throws -> [String] {
            var found: [String] = []
            func walk(_ relative: String) throws {
                let full = "\(BuiltProducts.packageRoot)/daemonset\(relative.isEmpty ? "" : "/\(relative)")"
                for name in try POSIXIO.listDirectory(full).sorted() {
                    let path = relative.isEmpty ? name : "\(relative)/\(name)"
                    var info = stat()
                    if stat("\(full)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                        try walk(path)
                    } else if name.hasSuffix(".yaml"), name != "kustomization.yaml", KustomizationTests.notInstalled.contains(name) {
                        found.append(path)
                    }
                }
            }
            try walk("")
            return found
        }

        /// Every workload we ship: each kustomization rendered (the base, the overlays, each
        /// component on the base, the from-seed overlay's ingress step), plus the manifests in
        /// none. The same workload from two renderings is checked in each (a patch may differ).
        static func all() async throws -> [Workload] {
            var result: [Workload] = []
            for folder in KustomizationTests.renderings {
                result += workloads(in: try await KustomizationTests.render(folder), source: folder)
            }
            for file in try notInstalledManifests() {
                result += workloads(in: try IngressManifestTests.load(file), source: "daemonset/\(file)")
            }
            return result
        }

        // MARK: - Reporting

        /// Records every violation, once per distinct problem (a workload rendered by
        /// several kustomizations would otherwise be reported once per kustomization).
        static func report(_ violations: [(subject: String, detail: String)]) {
            var recorded: Set<String> = []
            for violation in violations where recorded.insert("\(violation.subject): \(violation.detail)").inserted {
                Issue.record("\(violation.subject): \(violation.detail)")
            }
        }

        // MARK: - Helpers

        static func mountedVolumes(_ container: Object) -> [(path: String, volume: String, readOnly: Bool)] {
            (container["volumeMounts"] as? [Object] ?? []).compactMap { mount in
                guard let path = mount["mountPath"] as? String, let name = mount["name"] as? String else { return nil }
                return (path, name, mount["readOnly"] as? Bool ?? false)
            }
        }

        static func projectedSources(_ volume: Object?) -> [Object] {
            (volume?["projected"] as? Object)?["sources"] as? [Object] ?? []
        }

        static func holdsToken(_ volume: Object?) -> Bool {
            projectedSources(volume).contains { $0["serviceAccountToken"] != nil }
        }

        /// A Kubernetes quantity in base units (cores, bytes); nil when it does not parse.
        static func quantity(_ value: Any?) -> Double? {
            if let number = value as? Int { return Double(number) }
            if let number = value as? Double { return number }
            guard let text = value as? String, !text.isEmpty else { return nil }
            let suffixes: [(String, Double)] = [
                ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("m", 0.001), ("k", 1e3), ("M", 1e6), ("G", 1e9),
                ("T", 1e12),
            ]
            for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
                return Double(text.dropLast(suffix.count)).map { $0 * factor }
            }
            return Double(text)
        }

        /// `v1.2.3`, `1.29.8-alpine`, `0.12.6`: at least major.minor.patch.
        static func isVersionTag(_ tag: Substring) -> Bool {
            let core = tag.hasPrefix("v") ? tag.dropFirst() : tag
            let parts = core.prefix { $0 != "-" && $0 != "+" }.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count >= 3 && parts.prefix(3).allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }

        static func isTailscaleImage(_ image: String) -> Bool {
            let repository = image.split(separator: "@").first?.split(separator: ":").first ?? ""
            return repository.hasSuffix("tailscale/tailscale")
        }

        // MARK: - The checks

        @Test func theChecksSeeEveryWorkloadWeShip() async throws {
            let seen = Set(try await Self.all().map(\.id))
            #expect(seen.isSuperset(of: Self.shipped), "missing: \(Self.shipped.subtracting(seen).sorted())")
            #expect(try Self.notInstalledManifests().contains("example-statefulset.yaml"))
        }

        @Test func everyPodRunsUnderTheRuntimesSeccompProfile() async throws {
            var violations: [(String, String)] = []
            for workload in try await Self.all() {
                let profile = ((workload.pod["securityContext"] as? Object)?["seccompProfile"] as? Object)?["type"] as? String
                if profile != "RuntimeDefault" {
                    violations.append((workload.id, "pod securityContext.seccompProfile.type is \(profile ?? "unset"), not RuntimeDefault"))
                }
                // A container may repeat it, never loosen it.
                for container in workload.allContainers {
                    let own = ((container["securityContext"] as? Object)?["seccompProfile"] as? Object)?["type"] as? String
                    if let own, own != "RuntimeDefault" { violations.append((workload.subject(container), "seccompProfile \(own)")) }
                }
            }
            Self.report(violations)
        }

        @Test func noPodGetsAnAutomaticServiceAccountToken() async throws {
            var violations: [(String, String)] = []
            for workload in try await Self.all() where workload.pod["automountServiceAccountToken"] as? Bool != false {
                violations.append((workload.id, "automountServiceAccountToken is not false: kubelet mounts a token into every container"))
            }
            Self.report(violations)
        }

        /// A projected token, the cluster CA and the namespace at the in-cluster path in exactly the
        /// containers that call the API; no token anywhere else.
        @Test func onlyTheContainersThatCallTheAPIHoldAToken() async throws {
            var violations: [(String, String)] = []
            let reads = try #require(KubernetesConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]))
            for workload in try await Self.all() {
                let automatic = workload.pod["automountServiceAccountToken"] as? Bool != false
                for container in workload.allContainers {
                    let subject = workload.subject(container)
                    let tokenMounts = Self.mountedVolumes(container).filter { Self.holdsToken(DeploymentWiringTests.volume(workload.pod, $0.volume)) }
                    let callsAPI = Self.apiCallers.contains(subject)
                    if !callsAPI {
                        if automatic { violations.append((subject, "gets kubelet's automatic token, and never calls the API")) }
                        if !tokenMounts.isEmpty { violations.append((subject, "mounts a token and never calls the API")) }
                        continue
                    }
                    if automatic { continue }  // reported by noPodGetsAnAutomaticServiceAccountToken
                    guard tokenMounts.count == 1, let mount = tokenMounts.first else {
                        violations.append((subject, "calls the API: needs one projected token volume, has \(tokenMounts.count)"))
                        continue
                    }
                    if mount.path != Self.serviceAccountPath {
                        violations.append((subject, "token at \(mount.path), not \(Self.serviceAccountPath)"))
                    }
                    if !mount.readOnly { violations.append((subject, "token volume not readOnly")) }
                    // What the clients read from there: token, ca.crt, namespace.
                    let sources = Self.projectedSources(DeploymentWiringTests.volume(workload.pod, mount.volume))
                    let token = sources.compactMap { $0["serviceAccountToken"] as? Object }.first
                    let caItems = sources.compactMap { $0["configMap"] as? Object }.filter { $0["name"] as? String == "kube-root-ca.crt" }
                        .flatMap { $0["items"] as? [Object] ?? [] }
                    let namespaceItems = sources.compactMap { $0["downwardAPI"] as? Object }.flatMap { $0["items"] as? [Object] ?? [] }
                        .filter { ($0["fieldRef"] as? Object)?["fieldPath"] as? String == "metadata.namespace" }
                    let files = Set(
                        [token?["path"] as? String] + caItems.filter { $0["key"] as? String == "ca.crt" }.map { $0["path"] as? String }
                            + namespaceItems.map { $0["path"] as? String }
                    )
                    for wanted in [reads.tokenFile, reads.caFile, "\(Self.serviceAccountPath)/namespace"] {
                        let file = wanted.map { String($0.dropFirst(Self.serviceAccountPath.count + 1)) }
                        if !files.contains(file) { violations.append((subject, "no \(file ?? "?") in the projected volume")) }
                    }
                    if token?["expirationSeconds"] as? Int != Self.tokenExpirationSeconds {
                        let actual = token?["expirationSeconds"] ?? "unset"
                        violations.append((subject, "token expirationSeconds \(actual), not \(Self.tokenExpirationSeconds)"))
                    }
                    if token?["audience"] != nil { violations.append((subject, "a token for another audience than the API server")) }
                }
            }
            Self.report(violations)
        }

        @Test func everyContainerHasCPUAndMemoryRequestsAndLimits() async throws {
            var violations: [(String, String)] = []
            for workload in try await Self.all() {
                for container in workload.allContainers {
                    let resources = container["resources"] as? Object ?? [:]
                    var missing: [String] = []
                    for kind in ["requests", "limits"] {
                        for resource in ["cpu", "memory"] where Self.quantity((resources[kind] as? Object)?[resource]) == nil {
                            missing.append("\(kind).\(resource)")
                        }
                    }
                    if !missing.isEmpty { violations.append((workload.subject(container), "no \(missing.joined(separator: ", "))")) }
                    for resource in ["cpu", "memory"] {
                        if let request = Self.quantity((resources["requests"] as? Object)?[resource]),
                            let limit = Self.quantity((resources["limits"] as? Object)?[resource]), request > limit
                        {
                            violations.append((workload.subject(container), "\(resource) request above its limit"))
                        }
                    }
                }
            }
            Self.report(violations)
        }

        @Test func everyImageIsPinnedToAVersion() async throws {
            var violations: [(String, String)] = []
            for workload in try await Self.all() {
                for container in workload.allContainers {
                    let image = container["image"] as? String ?? ""
                    let subject = workload.subject(container)
                    if image.hasPrefix("localhost/") {
                        // Node-local, never pulled (KustomizationTests checks the same on the renders).
                        if container["imagePullPolicy"] as? String != "Never" { violations.append((subject, "\(image) may be pulled")) }
                        continue
                    }
                    let parts = image.split(separator: "@", maxSplits: 1)
                    if parts.count == 2 {
                        let digest = parts[1]
                        let hex = digest.dropFirst("sha256:".count)
                        if !digest.hasPrefix("sha256:") || hex.count != 64 || !hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
                            violations.append((subject, "\(image): not a sha256 digest"))
                        }
                    }
                    let name = parts.first ?? ""
                    let lastSegment = name.split(separator: "/").last ?? ""
                    let tag = lastSegment.contains(":") ? lastSegment.split(separator: ":").last ?? "" : ""
                    if !Self.isVersionTag(tag) { violations.append((subject, "\(image): no version tag (major.minor.patch)")) }
                }
            }
            Self.report(violations)
        }

        /// Upstream's support window: the tailscale client Headscale 0.29.7+ (a security release)
        /// pairs with is 1.104.4; no workload may run an older one, sidecar or node daemon.
        @Test func everyTailscaleImageIsAtLeast1_104_4() async throws {
            var violations: [(String, String)] = []
            var seen = 0
            for workload in try await Self.all() {
                for container in workload.allContainers {
                    let image = container["image"] as? String ?? ""
                    guard image.contains("tailscale/tailscale:") else { continue }
                    seen += 1
                    let tag = image.split(separator: "@").first?.split(separator: ":").last ?? ""
                    let version = tag.dropFirst().split(separator: ".").compactMap { Int($0) }
                    if version.count != 3 || version.lexicographicallyPrecedes([1, 104, 4]) {
                        violations.append((workload.subject(container), "\(image) is older than tailscale 1.104.4"))
                    }
                }
            }
            #expect(seen >= 3, "tailscaled, the CLI copy and the example's sidecar")
            Self.report(violations)
        }

        @Test func everyTailscaleContainerHasAReadinessProbe() async throws {
            var violations: [(String, String)] = []
            var tailscaleContainers = 0
            for workload in try await Self.all() {
                for container in DeploymentWiringTests.containers(workload.pod) where Self.isTailscaleImage(container["image"] as? String ?? "") {
                    tailscaleContainers += 1
                    if !(container["readinessProbe"] is Object) { violations.append((workload.subject(container), "no readinessProbe")) }
                }
            }
            #expect(tailscaleContainers >= 2, "the agent's tailscaled and the example's sidecar")
            Self.report(violations)
        }

        /// The folder holding a tailscale container's state (the node key): mounted into that
        /// container alone, and inside no host folder another container mounts.
        @Test func tailscaledsStateIsMountedIntoTailscaledAlone() async throws {
            var violations: [(String, String)] = []
            var checked = 0
            for workload in try await Self.all() {
                for container in DeploymentWiringTests.containers(workload.pod) where Self.isTailscaleImage(container["image"] as? String ?? "") {
                    let command = container["command"] as? [String] ?? []
                    let stateDirectory =
                        command.first { $0.hasPrefix("--statedir=") }.map { String($0.dropFirst("--statedir=".count)) }
                        ?? DeploymentWiringTests.env(container)["TS_STATE_DIR"]
                    guard let stateDirectory, let state = DeploymentWiringTests.resolve(stateDirectory, in: container) else {
                        violations.append((workload.subject(container), "its state is in no volume"))
                        continue
                    }
                    checked += 1
                    let stateHostPath = (DeploymentWiringTests.volume(workload.pod, state.volume)?["hostPath"] as? Object)?["path"] as? String
                    for other in workload.allContainers where other["name"] as? String != container["name"] as? String {
                        for mount in Self.mountedVolumes(other) {
                            if mount.volume == state.volume {
                                violations.append((workload.subject(other), "mounts \(workload.subject(container))'s state (\(state.volume))"))
                            }
                            let hostPath = (DeploymentWiringTests.volume(workload.pod, mount.volume)?["hostPath"] as? Object)?["path"] as? String
                            if let stateHostPath, let hostPath, stateHostPath == hostPath || stateHostPath.hasPrefix(hostPath + "/") {
                                violations.append((workload.subject(other), "its host folder \(hostPath) holds tailscale's state \(stateHostPath)"))
                            }
                        }
                    }
                }
            }
            #expect(checked >= 2, "the agent's tailscaled and the example's sidecar")
            Self.report(violations)
        }
    }
}
