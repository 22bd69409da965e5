import CharonSupport
import Glibc
import HostCommand
import Ingress
import TestSupport
import Testing
import Yams

/// Every kustomization under `daemonset/`, rendered by real kustomize (`kubectl kustomize`, the
/// one `kubectl apply -k` runs): the base and the overlays as they are, each component on the
/// base, and the from-seed overlay's documented ingress step as its header spells it. Each
/// renders, lists every manifest of its folder (a new one cannot be forgotten), creates every
/// namespace its objects live in (the seed's `ingress-nginx` excepted where the seed owns it), and
/// runs no node-local (`localhost/`) image with a pull policy that would ever pull it: a missing
/// `localhost/` image would be fetched over plain http from the node's own port 80, the internal
/// controller.
struct KustomizationTests {
    typealias Object = [String: Any]

    /// The install variants a user applies.
    static let overlays = ["daemonset/overlays/new-cluster", "daemonset/overlays/from-seed"]
    /// Every Kustomization (rendered as it is).
    static let folders = ["daemonset/base"] + overlays + [uninstall]
    /// The per-node uninstall, applied beside an install (it uses the install's namespace).
    static let uninstall = "daemonset/uninstall"
    /// Every Component (rendered on the base).
    static let components = ["admission-policy", "external-enrollment", "fleet", "ingress-nginx", "ingress-traefik"].map {
        "daemonset/components/\($0)"
    }
    /// The from-seed overlay with the ingress step its header documents (commented out there).
    static let fromSeedIngressStep = "daemonset/overlays/from-seed (with its ingress step)"
    /// Everything the tests render.
    static let renderings = folders + components + [fromSeedIngressStep]
    /// Manifests deliberately in no kustomization: a service to copy, optional Gateway API routes,
    /// the example Headscale Ingress.
    static let notInstalled: Set<String> = ["example-statefulset.yaml", "gateway.yaml", "kustomization.yaml", "headscale-ingress.yaml"]
    /// Namespaces a rendering may use without creating them: the seed's, never ours to delete.
    static let preexisting: [String: Set<String>] = [fromSeedIngressStep: ["ingress-nginx"], uninstall: ["charon-system"]]

    /// `.build/tools/bin/kubectl` (scripts/install-tools.sh, run by `make test`), else one on PATH.
    static func kubectl() throws -> String {
        let installed = "\(BuiltProducts.packageRoot)/.build/tools/bin/kubectl"
        if POSIXIO.exists(installed) { return installed }
        for folder in (TestEnvironment.value("PATH") ?? "").split(separator: ":") where POSIXIO.exists("\(folder)/kubectl") {
            return "\(folder)/kubectl"
        }
        throw KubectlMissing()
    }

    struct KubectlMissing: Error, CustomStringConvertible {
        var description: String { "kubectl is not installed: run scripts/install-tools.sh kubectl" }
    }

    static func text(_ relative: String) throws -> String {
        String(decoding: try POSIXIO.readFile("\(BuiltProducts.packageRoot)/\(relative)"), as: UTF8.self)
    }

    /// The body of the from-seed overlay's documented ingress step: the lines of its header from
    /// `#   components:` to the next bare `#`, without the comment prefix.
    static func fromSeedIngressStepLines() throws -> [String] {
        let header = try text("daemonset/overlays/from-seed/kustomization.yaml").split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { $0.hasPrefix("#") || $0.isEmpty }
        let start = try #require(header.firstIndex { $0 == "#   components:" }, "the from-seed header spells out its ingress step")
        return header[start...].prefix { $0 != "#" }.map { String($0.dropFirst("#   ".count)) }
    }

    /// A kustomization kustomize renders from a copy of daemonset/ (it loads folders by relative
    /// path only, so a scratch overlay must sit in the tree).
    static func renderScratch(_ body: String) async throws -> [Object] {
        let scratch = try TemporaryDirectory(prefix: "charon-kustomize")
        _ = try await HostCommand(executable: "/bin/cp").check(["-r", "\(BuiltProducts.packageRoot)/daemonset", "\(scratch.path)/daemonset"])
        try scratch.write("daemonset/overlays/scratch/kustomization.yaml", body)
        let output = try await HostCommand(executable: try kubectl()).check(["kustomize", "\(scratch.path)/daemonset/overlays/scratch"])
        return try Yams.load_all(yaml: output).compactMap { $0 as? Object }
    }

    static func render(_ what: String) async throws -> [Object] {
        if what == fromSeedIngressStep {
            return try await renderScratch((["resources:", "- ../../base"] + fromSeedIngressStepLines()).joined(separator: "\n") + "\n")
        }
        if what.hasPrefix("daemonset/components/") {
            let name = what.dropFirst("daemonset/components/".count)
            return try await renderScratch("resources:\n- ../../base\ncomponents:\n- ../../components/\(name)\n")
        }
        let output = try await HostCommand(executable: try kubectl()).check(["kustomize", "\(BuiltProducts.packageRoot)/\(what)"])
        return try Yams.load_all(yaml: output).compactMap { $0 as? Object }
    }

    static func metadata(_ object: Object) -> Object { object["metadata"] as? Object ?? [:] }
    static func name(_ object: Object) -> String { metadata(object)["name"] as? String ?? "?" }
    static func namespace(_ object: Object) -> String? { metadata(object)["namespace"] as? String }
    static func describe(_ object: Object) -> String {
        "\(object["kind"] as? String ?? "?") \(namespace(object).map { "\($0)/" } ?? "")\(name(object))"
    }

    /// The agent's ConfigMap as a rendering leaves it.
    static func agentSettings(_ objects: [Object]) throws -> [String: String] {
        let configMap = try #require(
            objects.first { $0["kind"] as? String == "ConfigMap" && name($0) == "charon-node" && namespace($0) == "charon-system" }
        )
        return configMap["data"] as? [String: String] ?? [:]
    }

    @Test func everyKustomizationUnderDaemonsetIsTested() throws {
        var found: [String] = []
        func walk(_ relative: String) throws {
            let full = "\(BuiltProducts.packageRoot)/\(relative)"
            for name in try POSIXIO.listDirectory(full) {
                if name == "kustomization.yaml" { found.append(relative) }
                var info = stat()
                if stat("\(full)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { try walk("\(relative)/\(name)") }
            }
        }
        try walk("daemonset")
        #expect(Set(found) == Set(Self.folders + Self.components))
        // `kubectl apply -k daemonset/` picks no install: the user names an overlay.
        #expect(!POSIXIO.exists("\(BuiltProducts.packageRoot)/daemonset/kustomization.yaml"))
    }

    @Test(arguments: folders + components)
    func listsEveryManifestOfItsFolder(folder: String) throws {
        let kustomization = try #require(try Yams.load(yaml: try Self.text("\(folder)/kustomization.yaml")) as? Object)
        if Self.components.contains(folder) {
            #expect(kustomization["apiVersion"] as? String == "kustomize.config.k8s.io/v1alpha1")
            #expect(kustomization["kind"] as? String == "Component")
        } else {
            #expect(kustomization["apiVersion"] as? String == "kustomize.config.k8s.io/v1beta1")
            #expect(kustomization["kind"] as? String == "Kustomization")
        }
        let listed = Set((kustomization["resources"] as? [String] ?? []).filter { $0.hasSuffix(".yaml") })
        let present = Set(try POSIXIO.listDirectory("\(BuiltProducts.packageRoot)/\(folder)").filter { $0.hasSuffix(".yaml") })
        #expect(listed == present.subtracting(Self.notInstalled), "\(folder)/*.yaml and its kustomization disagree")
    }

    /// Each overlay uses the base and components, never a file of its own or of another folder.
    @Test(arguments: overlays)
    func overlaysAreTheBaseAndComponents(folder: String) throws {
        let kustomization = try #require(try Yams.load(yaml: try Self.text("\(folder)/kustomization.yaml")) as? Object)
        #expect(kustomization["resources"] as? [String] == ["../../base"])
        for component in kustomization["components"] as? [String] ?? [] {
            #expect(Self.components.contains("daemonset/components/\(component.dropFirst("../../components/".count))"), "\(component)")
        }
    }

    @Test(arguments: renderings)
    func rendersWithEveryNamespaceItUsesCreated(folder: String) async throws {
        var created: Set<String> = []
        var used: [String: String] = [:]  // namespace -> an object in it
        for object in try await Self.render(folder) {
            if object["kind"] as? String == "Namespace" { created.insert(Self.name(object)) }
            if let namespace = Self.namespace(object) { used[namespace] = Self.describe(object) }
        }
        #expect(!used.isEmpty)
        for (namespace, example) in used.sorted(by: { $0.key < $1.key }) where !(Self.preexisting[folder] ?? []).contains(namespace) {
            #expect(created.contains(namespace), "\(folder): \(example) is in namespace \(namespace), which the install does not create")
        }
    }

    /// What the API server needs of every object: a kind and apiVersion, a valid name, a namespace
    /// on namespaced kinds, and workload selectors that match their pod templates.
    @Test(arguments: renderings)
    func rendersWellFormedObjects(folder: String) async throws {
        let clusterScoped: Set<String> = [
            "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "IngressClass", "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding", "GatewayClass",
        ]
        let objects = try await Self.render(folder)
        #expect(!objects.isEmpty)
        var seen: Set<String> = []
        for object in objects {
            let kind = object["kind"] as? String ?? "?"
            #expect(object["apiVersion"] is String, "\(folder): \(Self.describe(object)) has no apiVersion")
            let name = Self.name(object)
            #expect(kind == "CustomResourceDefinition" || DNSName.isName(name), "\(folder): \(kind) \(name)")
            #expect(clusterScoped.contains(kind) == (Self.namespace(object) == nil), "\(folder): \(Self.describe(object)) namespace")
            #expect(seen.insert(Self.describe(object)).inserted, "\(folder): \(Self.describe(object)) twice")
            if let spec = object["spec"] as? Object, let selector = (spec["selector"] as? Object)?["matchLabels"] as? [String: String],
                let template = spec["template"] as? Object
            {
                let labels = (template["metadata"] as? Object)?["labels"] as? [String: String] ?? [:]
                for (key, value) in selector { #expect(labels[key] == value, "\(folder): \(Self.describe(object)) selector \(key)") }
            }
        }
    }

    @Test(arguments: renderings)
    func nodeLocalImagesAreNeverPulled(folder: String) async throws {
        var agentContainers = 0
        for object in try await Self.render(folder) {
            let pod = ((object["spec"] as? Object)?["template"] as? Object)?["spec"] as? Object ?? [:]
            for container in (pod["initContainers"] as? [Object] ?? []) + (pod["containers"] as? [Object] ?? []) {
                let image = container["image"] as? String ?? ""
                if image.hasPrefix("localhost/charon-node") { agentContainers += 1 }
                if image.hasPrefix("localhost/") {
                    #expect(container["imagePullPolicy"] as? String == "Never", "\(folder): \(container["name"] ?? "?") runs \(image)")
                }
            }
        }
        #expect(agentContainers >= 1, "\(folder) runs the agent image (node-local until `make release` pins it)")
    }

    // MARK: - What each install turns on

    /// The base alone joins nothing, runs no fleet pass and has no controller or policy.
    @Test func theBaseAloneJoinsNothing() async throws {
        let objects = try await Self.render("daemonset/base")
        let settings = try Self.agentSettings(objects)
        #expect(settings["INGRESS_ENABLED"] == "false")
        #expect(settings["FLEET_ENABLED"] == "false")
        let kinds = Set(objects.compactMap { $0["kind"] as? String })
        #expect(kinds == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"])
    }

    /// A new cluster: Traefik inside (the agent pointed at it), Traefik outside for enrollment, the
    /// fleet pass and the admission policy.
    @Test func theNewClusterOverlayTurnsOnWhatItInstalls() async throws {
        let objects = try await Self.render("daemonset/overlays/new-cluster")
        let settings = try Self.agentSettings(objects)
        #expect(settings["INGRESS_ENABLED"] == "true")
        #expect(settings["INGRESS_CONTROLLER"] == "traefik")
        #expect(settings["INGRESS_CONTROLLER_NAMESPACE"] == "traefik-internal")
        #expect(settings["FLEET_ENABLED"] == "true")
        let described = Set(objects.map(Self.describe))
        for wanted in [
            "DaemonSet traefik-internal/traefik-internal", "Deployment traefik-external/traefik-external", "Role charon-system/charon-node-fleet",
            "ValidatingAdmissionPolicy charon-node-own-node-status", "ValidatingAdmissionPolicyBinding charon-node-own-node-status",
            "IngressClass tailnet", "IngressClass nginx-external",
        ] {
            #expect(described.contains(wanted), "\(wanted)")
        }
        // Nothing of the seed's: no ingress-nginx anywhere, no second controller in its namespaces.
        for object in objects {
            #expect(!["ingress-nginx", "ingress-nginx-external"].contains(Self.namespace(object) ?? ""), "\(Self.describe(object))")
            #expect(!(object["kind"] as? String == "Namespace" && Self.name(object).hasPrefix("ingress-nginx")), "\(Self.describe(object))")
        }
    }

    /// A cluster coming from the seed: as installed, and with the documented ingress step, nothing
    /// in the seed enrollment controller's namespace, no Namespace but charon-system (so `kubectl
    /// delete -k` never deletes one the install did not create), no IngressClass of the seed's
    /// unless the step takes `nginx` over on purpose.
    @Test(arguments: ["daemonset/overlays/from-seed", fromSeedIngressStep])
    func theFromSeedOverlayLeavesTheSeedsObjectsAlone(folder: String) async throws {
        let objects = try await Self.render(folder)
        for object in objects {
            #expect(Self.namespace(object) != "ingress-nginx-external", "\(folder): \(Self.describe(object))")
            if object["kind"] as? String == "Namespace" {
                #expect(Self.name(object) == "charon-system", "\(folder) creates namespace \(Self.name(object))")
            }
            #expect(Self.name(object) != "nginx-external" && Self.name(object) != "ingress-nginx-external", "\(folder): \(Self.describe(object))")
        }
        #expect(objects.contains { $0["kind"] as? String == "ValidatingAdmissionPolicy" }, "\(folder): the admission policy")
        let settings = try Self.agentSettings(objects)
        if folder == Self.fromSeedIngressStep {
            #expect(settings["INGRESS_ENABLED"] == "true")
            #expect(settings["INGRESS_CONTROLLER"] == "ingress-nginx")
            #expect(objects.contains { Self.describe($0) == "DaemonSet ingress-nginx/ingress-nginx-internal" })
        } else {
            #expect(settings["INGRESS_ENABLED"] == "false", "no join until the hand-over step")
            #expect(settings["FLEET_ENABLED"] == "false")
            #expect(!objects.contains { $0["kind"] as? String == "IngressClass" || Self.namespace($0) == "ingress-nginx" })
        }
    }
}
