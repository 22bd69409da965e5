import CharonSupport
import Ingress
import TestSupport
import Testing
import Yams

/// daemonset/ingress-internal.yaml and ingress-external.yaml: well-formed Kubernetes objects, the
/// internal controller on the host network with IngressClass `nginx`, the external one behind a
/// LoadBalancer with `nginx-external`, and no port 80/443 claimed on a node by both.
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

    static let namespaced: Set<String> = ["ServiceAccount", "ConfigMap", "Role", "RoleBinding", "DaemonSet", "Deployment", "Service"]

    /// Where each controller lives: the internal one beside the ConfigMap the agent patches, the
    /// external one in `ingress-nginx-external`, where the setup charon replaces had it.
    static let namespaces = ["ingress-internal.yaml": "ingress-nginx", "ingress-external.yaml": "ingress-nginx-external"]

    @Test(arguments: ["ingress-internal.yaml", "ingress-external.yaml"])
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
            if let spec = object["spec"] as? Object, let selector = (spec["selector"] as? Object)?["matchLabels"] as? [String: String] {
                let labels = ((spec["template"] as? Object)?["metadata"] as? Object)?["labels"] as? [String: String] ?? [:]
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
        let objects = try Self.load("ingress-internal.yaml")
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
        let objects = try Self.load("ingress-internal.yaml")
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

    @Test func externalControllerUsesALoadBalancerAndNoNodePorts() throws {
        let objects = try Self.load("ingress-external.yaml")
        let workload = try #require(Self.find(objects, kind: "Deployment").first ?? Self.find(objects, kind: "DaemonSet").first)
        let pod = Self.podSpec(workload)
        #expect(pod["hostNetwork"] as? Bool != true)
        #expect(Self.nodePorts(pod).isEmpty)
        let service = try #require(Self.find(objects, kind: "Service").first)
        #expect((service["spec"] as? Object)?["type"] as? String == "LoadBalancer")
        let ingressClass = try #require(Self.find(objects, kind: "IngressClass").first)
        #expect((ingressClass["metadata"] as? Object)?["name"] as? String == "nginx-external")
        #expect(Self.args(pod).contains("--ingress-class=nginx-external"))
        #expect(Self.args(pod).contains("--controller-class=\((ingressClass["spec"] as? Object)?["controller"] as? String ?? "?")"))
    }

    /// Ingresses without `ingressClassName` must land on the tailnet-only controller, never on the
    /// public one; and with two default classes the API server refuses such Ingresses outright.
    @Test func onlyTheInternalClassMayBeTheDefault() throws {
        let classes = try ["ingress-internal.yaml", "ingress-external.yaml"].flatMap { Self.find(try Self.load($0), kind: "IngressClass") }
        let defaults = classes.filter {
            let annotations = ($0["metadata"] as? Object)?["annotations"] as? [String: String] ?? [:]
            return annotations["ingressclass.kubernetes.io/is-default-class"] == "true"
        }
        #expect(defaults.count <= 1)
        for ingressClass in defaults {
            #expect((ingressClass["metadata"] as? Object)?["name"] as? String == "nginx", "only `nginx` (internal) may be the default")
        }
    }

    @Test func theTwoControllersNeverShareAPortClassLeaseOrConfigMapOnANode() throws {
        let internalObjects = try Self.load("ingress-internal.yaml")
        let externalObjects = try Self.load("ingress-external.yaml")
        let internalPod = Self.podSpec(try #require(Self.find(internalObjects, kind: "DaemonSet").first))
        let externalPod = Self.podSpec(try #require(Self.find(externalObjects, kind: "Deployment").first))
        #expect(Self.nodePorts(internalPod).isDisjoint(with: Self.nodePorts(externalPod)))
        func value(_ prefix: String, _ pod: Object) -> String? {
            Self.args(pod).first { $0.hasPrefix(prefix) }
        }
        for flag in ["--controller-class=", "--ingress-class=", "--election-id=", "--configmap="] {
            #expect(value(flag, internalPod) != nil && value(flag, internalPod) != value(flag, externalPod), "\(flag)")
        }
        let names = { (objects: [Object]) in
            Set(objects.filter { $0["kind"] as? String != "Namespace" }.map { "\($0["kind"]!)/\(($0["metadata"] as? Object)?["name"] ?? "")" })
        }
        #expect(names(internalObjects).isDisjoint(with: names(externalObjects)))
    }
}
