import CharonSupport
import Ingress
import TestSupport
import Testing
import Yams

/// The internal ingress-nginx (daemonset/components/ingress-nginx/ingress-internal.yaml) and the
/// external enrollment controller (daemonset/components/external-enrollment/traefik-external.yaml):
/// well-formed Kubernetes objects, the internal controller on the host network with IngressClass
/// `nginx`, the external one behind a LoadBalancer with `nginx-external`, and no port 80/443
/// claimed on a node by both.
struct IngressManifestTests {
    typealias Object = [String: Any]

    static func load(_ name: String) throws -> [Object] {
        let path = "\(BuiltProducts.packageRoot)/daemonset/\(name)"
        let text = String(decoding: try POSIXIO.readFile(path), as: UTF8.self)
        return try Yams.load_all(yaml: text).compactMap { $0 as? Object }
    }

    static func find(_ objects: [Object], kind: String) -> [Object] {
        objects.filter { $0["kind"] as? String == kind }
    }

    static let namespaced: Set<String> = [
        "ServiceAccount", "ConfigMap", "Role", "RoleBinding", "DaemonSet", "Deployment", "Service", "PodDisruptionBudget",
    ]

    static let internalFile = "components/ingress-nginx/ingress-internal.yaml"
    static let externalFile = "components/external-enrollment/traefik-external.yaml"

    /// Where each controller lives: the internal one beside the ConfigMap the agent patches, the
    /// external one in a namespace of its own, never the seed's `ingress-nginx-external`.
    static let namespaces = [internalFile: "ingress-nginx", externalFile: "traefik-external"]

    @Test(arguments: [internalFile, externalFile])
    func everyObjectIsWellFormed(file: String) throws {
        let objects = try Self.load(file)
        #expect(!objects.isEmpty)
        for object in objects {
            let kind = object["kind"] as? String ?? "?"
            let metadata = object["metadata"] as? Object
            #expect(object["apiVersion"] is String, "\(file) \(kind): apiVersion")
            #expect((metadata?["name"] as? String).map { DNSName.isName($0) } == true, "\(file) \(kind): metadata.name")
            if Self.namespaced.contains(kind) {
                #expect(metadata?["namespace"] as? String == Self.namespaces[file], "\(file) \(kind): namespace")
            }
            // Workloads: the selector must match the template's labels or the API server refuses it.
            if let spec = object["spec"] as? Object, let selector = (spec["selector"] as? Object)?["matchLabels"] as? [String: String],
                let template = spec["template"] as? Object
            {
                let labels = (template["metadata"] as? Object)?["labels"] as? [String: String] ?? [:]
                for (key, value) in selector { #expect(labels[key] == value, "\(file) \(kind): selector \(key)") }
            }
        }
    }

    static func podSpec(_ workload: Object) -> Object {
        (((workload["spec"] as? Object)?["template"] as? Object)?["spec"] as? Object) ?? [:]
    }

    static func containers(_ pod: Object) -> [Object] { pod["containers"] as? [Object] ?? [] }

    static func args(_ pod: Object) -> [String] { containers(pod).flatMap { $0["args"] as? [String] ?? [] } }

    /// Ports a pod binds on its node: every container port with hostNetwork, else hostPorts.
    static func nodePorts(_ pod: Object) -> Set<Int> {
        let ports = containers(pod).flatMap { $0["ports"] as? [Object] ?? [] }
        if pod["hostNetwork"] as? Bool == true { return Set(ports.compactMap { $0["containerPort"] as? Int }) }
        return Set(ports.compactMap { $0["hostPort"] as? Int })
    }

    @Test func internalControllerIsOnTheHostNetworkWithClassNginx() throws {
        let objects = try Self.load(Self.internalFile)
        let daemonSet = try #require(Self.find(objects, kind: "DaemonSet").first)
        let pod = Self.podSpec(daemonSet)
        #expect(pod["hostNetwork"] as? Bool == true)
        #expect(pod["dnsPolicy"] as? String == "ClusterFirstWithHostNet")
        #expect(Self.nodePorts(pod).isSuperset(of: [80, 443]))
        let ingressClass = try #require(Self.find(objects, kind: "IngressClass").first)
        #expect((ingressClass["metadata"] as? Object)?["name"] as? String == "nginx")
        let controller = (ingressClass["spec"] as? Object)?["controller"] as? String
        #expect(Self.args(pod).contains("--controller-class=\(controller ?? "?")"))
        #expect(Self.args(pod).contains("--ingress-class=nginx"))

        // The shipped ConfigMap already holds what the adapter enforces, so a fresh install is safe.
        let configMap = try #require(Self.find(objects, kind: "ConfigMap").first)
        #expect(Self.args(pod).contains("--configmap=$(POD_NAMESPACE)/\((configMap["metadata"] as? Object)?["name"] as? String ?? "?")"))
        let data = configMap["data"] as? [String: String] ?? [:]
        let adapter = IngressNginxAdapter(client: .init(configuration: .init(apiServer: "http://127.0.0.1:1", tokenFile: nil, caFile: nil)))
        #expect(adapter.changes(from: data).isEmpty, "\(data)")
    }

    /// The agent may read and patch exactly the ConfigMap the adapter writes, and nothing else.
    @Test func theAgentMayPatchOnlyTheControllerConfigMap() throws {
        let objects = try Self.load(Self.internalFile)
        let role = try #require(
            Self.find(objects, kind: "Role").first { ($0["metadata"] as? Object)?["name"] as? String == "charon-node-ingress-config" }
        )
        let rules = role["rules"] as? [Object] ?? []
        #expect(rules.count == 1)
        #expect(rules.first?["resources"] as? [String] == ["configmaps"])
        #expect(rules.first?["resourceNames"] as? [String] == ["ingress-nginx-controller"])
        #expect(Set(rules.first?["verbs"] as? [String] ?? []) == ["get", "patch"])
        let binding = try #require(
            Self.find(objects, kind: "RoleBinding").first { ($0["metadata"] as? Object)?["name"] as? String == "charon-node-ingress-config" }
        )
        let subject = (binding["subjects"] as? [Object])?.first
        #expect(subject?["name"] as? String == "charon-node")
        #expect(subject?["namespace"] as? String == "charon-system")
        let adapter = IngressNginxAdapter(client: .init(configuration: .init(apiServer: "http://127.0.0.1:1", tokenFile: nil, caFile: nil)))
        #expect(adapter.namespace == "ingress-nginx" && adapter.configMap == "ingress-nginx-controller")
    }

    /// The external (enrollment) controller: Traefik, not the retired ingress-nginx, in the pod
    /// network behind a LoadBalancer, serving exactly IngressClass `nginx-external`.
    @Test func externalControllerIsTraefikBehindALoadBalancerWithNoNodePorts() throws {
        let objects = try Self.load(Self.externalFile)
        let workload = try #require(Self.find(objects, kind: "Deployment").first)
        let pod = Self.podSpec(workload)
        #expect(pod["hostNetwork"] as? Bool != true)
        #expect(Self.nodePorts(pod).isEmpty)
        let images = Self.containers(pod).compactMap { $0["image"] as? String }
        #expect(images == ["docker.io/library/traefik:v3.7.9"], "Traefik, not ingress-nginx: \(images)")
        #expect(
            !objects.contains {
                Self.namespaceOf($0) == "ingress-nginx-external"
                    || ($0["kind"] as? String == "Namespace" && Self.nameOf($0) == "ingress-nginx-external")
            }
        )
        let service = try #require(Self.find(objects, kind: "Service").first)
        #expect((service["spec"] as? Object)?["type"] as? String == "LoadBalancer")
        let servicePorts = ((service["spec"] as? Object)?["ports"] as? [Object] ?? []).compactMap { $0["port"] as? Int }
        #expect(Set(servicePorts) == [80, 443], "the LoadBalancer exposes the two route entry points, not health")
        let ingressClass = try #require(Self.find(objects, kind: "IngressClass").first)
        #expect(Self.nameOf(ingressClass) == "nginx-external")
        let controller = (ingressClass["spec"] as? Object)?["controller"] as? String
        let args = Self.args(pod)
        #expect(args.contains("--providers.kubernetesingressnginx=true"))
        #expect(args.contains("--providers.kubernetesingressnginx.ingressClass=nginx-external"))
        #expect(args.contains("--providers.kubernetesingressnginx.controllerClass=\(controller ?? "?")"))
        // The provider's defaults (class `nginx`, controller k8s.io/ingress-nginx, the internal
        // ones) must never apply: no Ingress without a class, no class matched by name alone.
        #expect(controller != "k8s.io/ingress-nginx")
        #expect(args.contains("--providers.kubernetesingressnginx.watchIngressWithoutClass=false"))
        #expect(args.contains("--providers.kubernetesingressnginx.ingressClassByName=false"))
        #expect(!args.contains { $0.hasPrefix("--providers.kubernetesingress=") || $0.hasPrefix("--providers.kubernetescrd") })
    }

    /// Every entry point routes land on by default is on 80 or 443: the `asDefault` ones, and the
    /// ones the Ingress NGINX provider puts its routers on (left unset, it would use every entry
    /// point without TLS, the health one included). Health is on the internal `traefik` one.
    /// The disruption budget selects the controller's pods (kubectl apply accepts one that selects
    /// nothing, and then it protects nothing).
    @Test func theExternalDisruptionBudgetSelectsTheControllersPods() throws {
        let objects = try Self.load(Self.externalFile)
        let budget = try #require(Self.find(objects, kind: "PodDisruptionBudget").first)
        let selector = ((budget["spec"] as? Object)?["selector"] as? Object)?["matchLabels"] as? [String: String] ?? [:]
        let deployment = try #require(Self.find(objects, kind: "Deployment").first)
        let labels =
            (((deployment["spec"] as? Object)?["template"] as? Object)?["metadata"] as? Object)?["labels"] as? [String: String] ?? [:]
        #expect(!selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value })
    }

    @Test func externalRoutesLandOnlyOn80And443() throws {
        let pod = Self.podSpec(try #require(Self.find(try Self.load(Self.externalFile), kind: "Deployment").first))
        let args = Self.args(pod)
        var addresses: [String: String] = [:]
        for argument in args where argument.hasPrefix("--entryPoints.") && argument.contains(".address=") {
            let name = String(argument.dropFirst("--entryPoints.".count).prefix { $0 != "." })
            addresses[name] = String(argument.split(separator: "=", maxSplits: 1)[1])
        }
        let defaults = args.compactMap { argument -> String? in
            guard argument.hasPrefix("--entryPoints."), argument.hasSuffix(".asDefault=true") else { return nil }
            return String(argument.dropFirst("--entryPoints.".count).prefix { $0 != "." })
        }
        let providerEntryPoints = ["httpEntryPoint", "httpsEntryPoint"].compactMap { option in
            args.first { $0.hasPrefix("--providers.kubernetesingressnginx.\(option)=") }.map { String($0.split(separator: "=")[1]) }
        }
        #expect(providerEntryPoints.count == 2, "the provider names both of its entry points")
        #expect(Set(defaults) == ["web", "websecure"])
        for name in Set(defaults + providerEntryPoints) {
            #expect([":80", ":443"].contains(addresses[name] ?? "?"), "\(name) is on \(addresses[name] ?? "no address")")
        }
        #expect(Set(addresses.keys) == ["web", "websecure", "traefik"])
        #expect(args.contains("--ping.entryPoint=traefik"))
        let traefik = try #require(Self.containers(pod).first)
        for probe in ["livenessProbe", "readinessProbe"] {
            let httpGet = (traefik[probe] as? Object)?["httpGet"] as? Object
            #expect(httpGet?["path"] as? String == "/ping", "\(probe)")
        }
    }

    /// Ingresses without `ingressClassName` must land on the tailnet-only controller, never on the
    /// public one; and with two default classes the API server refuses such Ingresses outright.
    @Test func onlyAnInternalClassMayBeTheDefault() throws {
        let classes = try [Self.internalFile, Self.externalFile, "components/ingress-traefik/ingress-internal-traefik.yaml"].flatMap {
            Self.find(try Self.load($0), kind: "IngressClass")
        }
        #expect(classes.count == 3)
        for ingressClass in classes {
            let annotations = (ingressClass["metadata"] as? Object)?["annotations"] as? [String: String] ?? [:]
            if annotations["ingressclass.kubernetes.io/is-default-class"] == "true" {
                #expect(["nginx", "tailnet"].contains(Self.nameOf(ingressClass)), "only an internal class may be the default")
            }
        }
    }

    @Test func theTwoControllersNeverShareAPortClassOrObjectOnANode() throws {
        let internalObjects = try Self.load(Self.internalFile)
        let externalObjects = try Self.load(Self.externalFile)
        let internalPod = Self.podSpec(try #require(Self.find(internalObjects, kind: "DaemonSet").first))
        let externalPod = Self.podSpec(try #require(Self.find(externalObjects, kind: "Deployment").first))
        #expect(Self.nodePorts(internalPod).isDisjoint(with: Self.nodePorts(externalPod)))
        let classes = { (objects: [Object]) in Set(Self.find(objects, kind: "IngressClass").map(Self.nameOf)) }
        #expect(classes(internalObjects).isDisjoint(with: classes(externalObjects)))
        let controllers = { (objects: [Object]) in
            Set(Self.find(objects, kind: "IngressClass").compactMap { ($0["spec"] as? Object)?["controller"] as? String })
        }
        #expect(controllers(internalObjects).isDisjoint(with: controllers(externalObjects)))
        let names = { (objects: [Object]) in
            Set(objects.map { "\($0["kind"]!)/\(Self.namespaceOf($0) ?? "")/\(Self.nameOf($0))" })
        }
        #expect(names(internalObjects).isDisjoint(with: names(externalObjects)))
    }

    static func nameOf(_ object: Object) -> String { (object["metadata"] as? Object)?["name"] as? String ?? "?" }
    static func namespaceOf(_ object: Object) -> String? { (object["metadata"] as? Object)?["namespace"] as? String }
}
