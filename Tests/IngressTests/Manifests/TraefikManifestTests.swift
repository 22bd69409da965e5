import CharonSupport
import Foundation
import Ingress
import Kubernetes
import TestSupport
import Testing
import Yams

/// daemonset/components/ingress-traefik/: the Traefik variant of the internal ingress keeps the same guarantees as
/// the ingress-nginx one (the gate before the controller, the allowlist on every router, the peer
/// address), and agrees with what ``TraefikAdapter`` writes. Custom resources have no schema in
/// the validator, so their shape is checked here.
struct TraefikManifestTests {
    typealias Object = [String: Any]

    static func load(_ name: String) throws -> [Object] { try IngressManifestTests.load("components/ingress-traefik/\(name)") }
    static func named(_ objects: [Object], kind: String, _ name: String) throws -> Object {
        try #require(
            IngressManifestTests.find(objects, kind: kind).first { ($0["metadata"] as? Object)?["name"] as? String == name },
            "\(kind) \(name)"
        )
    }

    let adapter = TraefikAdapter(client: KubernetesClient(configuration: .init(apiServer: "http://127.0.0.1:1", tokenFile: nil, caFile: nil)))

    var objects: [Object] { get throws { try Self.load("ingress-internal-traefik.yaml") } }
    var pod: Object { get throws { IngressManifestTests.podSpec(try Self.named(try objects, kind: "DaemonSet", "traefik-internal")) } }
    var traefik: Object { get throws { try DeploymentWiringTests.container(try pod, "traefik") } }
    var args: [String] { get throws { try traefik["args"] as? [String] ?? [] } }

    @Test func everyObjectIsWellFormed() throws {
        for file in ["ingress-internal-traefik.yaml", "traefik-crds.yaml", "gateway.yaml"] {
            for object in try Self.load(file) {
                let kind = object["kind"] as? String ?? "?"
                #expect(object["apiVersion"] is String, "\(file) \(kind)")
                #expect(((object["metadata"] as? Object)?["name"] as? String).map { DNSName.isName($0) } == true, "\(file) \(kind)")
                if ["ServiceAccount", "Role", "RoleBinding", "DaemonSet", "Gateway"].contains(kind) {
                    #expect((object["metadata"] as? Object)?["namespace"] as? String == TraefikAdapter.defaultNamespace, "\(file) \(kind)")
                }
            }
        }
    }

    @Test func theGateRunsBeforeTraefikWithTheAgentsImageAndPolicy() throws {
        let pod = try pod
        #expect(pod["hostNetwork"] as? Bool == true)
        let gate = try #require(DeploymentWiringTests.containers(pod, init: true).first)
        #expect(gate["args"] as? [String] == ["ingress", "firewall", "--watch"])
        #expect(gate["restartPolicy"] as? String == "Always", "a native sidecar: it keeps the table while Traefik runs")
        let probe = ((gate["startupProbe"] as? Object)?["exec"] as? Object)?["command"] as? [String]
        #expect(probe == ["/usr/local/bin/charon-node", "ingress", "firewall", "--check"], "Traefik starts once the table is in")
        let agent = try DeploymentWiringTests.container(
            IngressManifestTests.podSpec(try DeploymentWiringTests.daemonSet("base/agent-daemonset.yaml", named: "charon-node")),
            "agent"
        )
        #expect(gate["image"] as? String == agent["image"] as? String)
        #expect(DeploymentWiringTests.capabilities(gate).add == ["NET_ADMIN"])
        #expect(DeploymentWiringTests.env(gate)["TAILSCALE_INTERFACE"] == "tailscale0")
        #expect(DeploymentWiringTests.mounts(gate)["/tmp"] != nil)
        let traefik = try traefik
        #expect(DeploymentWiringTests.capabilities(traefik).add == ["NET_BIND_SERVICE"])
        #expect(DeploymentWiringTests.capabilities(traefik).drop == ["ALL"])
        #expect((traefik["securityContext"] as? Object)?["privileged"] as? Bool != true)
        let image = traefik["image"] as? String ?? ""
        // The supported line, pinned to a patch release (the CRDs are checked against the same tag).
        let tag = image.split(separator: ":").last.map(String.init) ?? ""
        #expect(image.hasPrefix("docker.io/library/traefik:v3.7.") && tag.split(separator: ".").count == 3, "Traefik 3.7, pinned: \(image)")
        #expect(IngressManifestTests.nodePorts(pod).isSuperset(of: [80, 443]))
        let agentPod = IngressManifestTests.podSpec(try DeploymentWiringTests.daemonSet("base/agent-daemonset.yaml", named: "charon-node"))
        #expect(DeploymentWiringTests.tolerations(pod) == DeploymentWiringTests.tolerations(agentPod), "the same nodes as the agent")
    }

    /// Both entry points carry the adapter's Middleware, so no router on them can opt out; the
    /// client address is the TCP peer's.
    @Test func theAllowlistIsOnEveryEntryPointAndJudgesThePeer() throws {
        let args = try args
        let entryPoints = args.compactMap { argument -> (String, String)? in
            guard argument.hasPrefix("--entryPoints."), argument.contains(".address=") else { return nil }
            let name = argument.dropFirst("--entryPoints.".count).prefix { $0 != "." }
            return (String(name), String(argument.split(separator: "=", maxSplits: 1)[1]))
        }
        let served = entryPoints.filter { [":80", ":443"].contains($0.1) }.map(\.0)
        #expect(Set(served) == ["web", "websecure"])
        for name in served {
            #expect(args.contains("--entryPoints.\(name).http.middlewares=\(adapter.entryPointReference)"), "\(name)")
        }
        #expect(adapter.entryPointReference == "traefik-internal-tailnet-only@kubernetescrd")
        for argument in args {
            #expect(!argument.contains("forwardedHeaders.insecure=true") && !argument.contains("forwardedHeaders.trustedIPs"), "\(argument)")
            #expect(!argument.contains("proxyProtocol"), "\(argument)")
        }
        // Routes land only where the allowlist is: the entry points routers attach to by default
        // are exactly the two on 80/443 (Traefik's asDefault; with none marked, every entry point
        // would be a default, the probe port included).
        let defaults = args.compactMap { argument -> String? in
            guard argument.hasPrefix("--entryPoints."), argument.hasSuffix(".asDefault=true") else { return nil }
            return String(argument.dropFirst("--entryPoints.".count).prefix { $0 != "." })
        }
        #expect(Set(defaults) == Set(served))
        // Health is on Traefik's internal entry point (never a default), on loopback only: no
        // address the LAN or the tailnet reaches.
        #expect(entryPoints.filter { !served.contains($0.0) }.map(\.0) == ["traefik"])
        #expect(entryPoints.first { $0.0 == "traefik" }?.1 == "127.0.0.1:10254")
        #expect(args.contains("--ping.entryPoint=traefik"))
        let pod = IngressManifestTests.podSpec(try Self.named(try objects, kind: "DaemonSet", "traefik-internal"))
        let traefik = try #require(DeploymentWiringTests.containers(pod).first { $0["name"] as? String == "traefik" })
        #expect(IngressManifestTests.nodePorts(pod) == [80, 443], "only the allowlisted ports are published")
        for probe in ["livenessProbe", "readinessProbe"] {
            let httpGet = (traefik[probe] as? Object)?["httpGet"] as? Object
            #expect(httpGet?["host"] as? String == "127.0.0.1" && httpGet?["port"] as? Int == 10254, "\(probe)")
        }
    }

    /// Every image reference under daemonset/ (manifests, examples and comments alike): the
    /// `image:` values, as `path: image` lines.
    static func imageReferences() throws -> [String] {
        var found: [String] = []
        func walk(_ relative: String) throws {
            let full = "\(BuiltProducts.packageRoot)/\(relative)"
            for name in try POSIXIO.listDirectory(full).sorted() {
                var info = stat()
                if stat("\(full)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                    try walk("\(relative)/\(name)")
                    continue
                }
                guard name.hasSuffix(".yaml") else { continue }
                let text = String(decoding: try POSIXIO.readFile("\(full)/\(name)"), as: UTF8.self)
                for line in text.split(separator: "\n") {
                    let trimmed = line.drop { $0 == " " || $0 == "#" || $0 == "-" }
                    guard trimmed.hasPrefix("image:") else { continue }
                    let value = trimmed.dropFirst("image:".count).trimmingCharacters(in: .whitespaces)
                    found.append("\(relative)/\(name): \(value.split(separator: " ").first.map(String.init) ?? "")")
                }
            }
        }
        try walk("daemonset")
        return found
    }

    /// The version of `repository:vX.Y.Z[...]` in a reference, or nil when the tag is no version.
    static func version(of reference: String) -> [Int]? {
        let tag = reference.split(separator: "@").first?.split(separator: ":").last ?? ""
        let numbers = (tag.hasPrefix("v") ? tag.dropFirst() : tag).prefix { $0 != "-" }.split(separator: ".").map { Int($0) }
        guard numbers.count == 3, numbers.allSatisfy({ $0 != nil }) else { return nil }
        return numbers.compactMap { $0 }
    }

    /// Upstream support windows: Traefik 3.7 is the supported line, and tailscale 1.104.4 is the
    /// client Headscale 0.29.7+ pairs with. Nowhere under daemonset/ may name an older one, nor an
    /// unversioned tag of either.
    @Test func noTraefikBelow3_7AndNoTailscaleBelow1_104_4AnywhereUnderDaemonset() throws {
        let references = try Self.imageReferences()
        var traefik = 0
        var tailscale = 0
        for line in references {
            let reference = String(line.split(separator: " ").last ?? "")
            let repository = reference.split(separator: "@").first?.split(separator: ":").first ?? ""
            if repository.hasSuffix("/traefik") || repository == "traefik" {
                traefik += 1
                let version = Self.version(of: reference)
                #expect(version.map { !$0.lexicographicallyPrecedes([3, 7, 0]) } == true, "\(line): Traefik below 3.7 or unversioned")
            }
            if repository.hasSuffix("tailscale/tailscale") {
                tailscale += 1
                let version = Self.version(of: reference)
                #expect(version.map { !$0.lexicographicallyPrecedes([1, 104, 4]) } == true, "\(line): tailscale below 1.104.4 or unversioned")
            }
        }
        #expect(traefik >= 2, "the internal and the external Traefik: \(references)")
        #expect(tailscale >= 3, "tailscaled, the CLI copy and the example's sidecar: \(references)")
        // And the checks have teeth.
        #expect(Self.version(of: "docker.io/library/traefik:v3.6.12").map { $0.lexicographicallyPrecedes([3, 7, 0]) } == true)
        #expect(Self.version(of: "docker.io/library/traefik:latest") == nil)
    }

    /// The CRDs are Traefik's own, from the same tag as the image.
    @Test func theCRDsAreFromTheImagesTag() throws {
        let pod = IngressManifestTests.podSpec(try Self.named(try objects, kind: "DaemonSet", "traefik-internal"))
        let traefik = try #require(DeploymentWiringTests.containers(pod).first { $0["name"] as? String == "traefik" })
        let tag = String((traefik["image"] as? String ?? "").split(separator: ":").last ?? "")
        let header = String(
            decoding: try POSIXIO.readFile("\(BuiltProducts.packageRoot)/daemonset/components/ingress-traefik/traefik-crds.yaml"),
            as: UTF8.self
        )
        #expect(header.contains("of Traefik \(tag), exactly as Traefik ships"), "traefik-crds.yaml names the image's tag \(tag)")
    }

    @Test func ingressesGatewaysAndRoutesAllReachTraefik() throws {
        let args = try args
        let ingressClass = try Self.named(try objects, kind: "IngressClass", "tailnet")
        #expect((ingressClass["spec"] as? Object)?["controller"] as? String == "traefik.io/ingress-controller")
        #expect(
            ((ingressClass["metadata"] as? Object)?["annotations"] as? [String: String])?["ingressclass.kubernetes.io/is-default-class"] == "true"
        )
        #expect(args.contains("--providers.kubernetesingress.ingressClass=tailnet"))
        #expect(args.contains("--providers.kubernetescrd=true"))
        #expect(args.contains("--providers.kubernetesgateway=true"))

        let gateway = try Self.load("gateway.yaml")
        let gatewayClass = try Self.named(gateway, kind: "GatewayClass", "tailnet")
        #expect((gatewayClass["spec"] as? Object)?["controllerName"] as? String == "traefik.io/gateway-controller")
        let listeners = ((try Self.named(gateway, kind: "Gateway", "tailnet"))["spec"] as? Object)?["listeners"] as? [Object] ?? []
        #expect(Set(listeners.compactMap { $0["port"] as? Int }) == [80, 443], "the listeners are the allowlisted entry points")
        let https = try #require(listeners.first { $0["protocol"] as? String == "HTTPS" })
        #expect(((https["tls"] as? Object)?["certificateRefs"] as? [Object])?.isEmpty == false)
    }

    /// The agent may read and patch the one Middleware, create in that namespace, nothing else;
    /// Traefik may read every traefik.io type the CRD file installs.
    @Test func rbacMatchesTheAdapterAndTheCRDs() throws {
        let role = try Self.named(try objects, kind: "Role", "charon-node-ingress-config")
        #expect((role["metadata"] as? Object)?["namespace"] as? String == adapter.namespace)
        let rules = role["rules"] as? [Object] ?? []
        #expect(rules.count == 2)
        let byName = try #require(rules.first { $0["resourceNames"] != nil })
        #expect(byName["resources"] as? [String] == ["middlewares"])
        #expect(byName["resourceNames"] as? [String] == [adapter.middleware])
        #expect(Set(byName["verbs"] as? [String] ?? []) == ["get", "patch"])
        let create = try #require(rules.first { $0["resourceNames"] == nil })
        #expect(create["verbs"] as? [String] == ["create"])
        #expect(create["resources"] as? [String] == ["middlewares"])
        let subject = ((try Self.named(try objects, kind: "RoleBinding", "charon-node-ingress-config"))["subjects"] as? [Object])?.first
        #expect(subject?["name"] as? String == "charon-node" && subject?["namespace"] as? String == "charon-system")

        let crds = try Self.load("traefik-crds.yaml")
        let plurals = Set(crds.compactMap { (($0["spec"] as? Object)?["names"] as? Object)?["plural"] as? String })
        let clusterRole = try Self.named(try objects, kind: "ClusterRole", "traefik-internal")
        let traefikRule = try #require((clusterRole["rules"] as? [Object])?.first { ($0["apiGroups"] as? [String]) == ["traefik.io"] })
        #expect(Set(traefikRule["resources"] as? [String] ?? []) == plurals)
        #expect(Set(traefikRule["verbs"] as? [String] ?? []) == ["get", "list", "watch"], "Traefik only reads its types")
        for crd in crds {
            let spec = crd["spec"] as? Object ?? [:]
            #expect(spec["group"] as? String == "traefik.io")
            #expect((spec["versions"] as? [Object])?.map { $0["name"] as? String } == ["v1alpha1"])
        }
    }

    /// What the adapter creates is accepted by the Middleware schema the CRD file installs.
    @Test func theAdaptersMiddlewareFitsTheCRDSchema() throws {
        let crd = try #require(
            try Self.load("traefik-crds.yaml").first { (($0["spec"] as? Object)?["names"] as? Object)?["kind"] as? String == "Middleware" }
        )
        let version = try #require((crd["spec"] as? Object)?["versions"] as? [Object]).first
        let schema = try #require((version?["schema"] as? Object)?["openAPIV3Schema"] as? Object)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(adapter.desiredObject())) as? Object)
        let problems = Self.violations(of: schema, by: body, at: "")
        #expect(problems.isEmpty, "\(problems)")
        // And the schema has teeth: a wrong type is caught.
        var broken = body
        broken["spec"] = ["ipAllowList": ["sourceRange": "100.64.0.0/10"]]
        #expect(Self.violations(of: schema, by: broken, at: "") == [".spec.ipAllowList.sourceRange: expected array"])
    }

    /// A small structural check of an OpenAPI v3 schema (types, properties, items, required,
    /// preserve-unknown-fields): enough for the shapes a CRD declares.
    static func violations(of schema: Object, by value: Any, at path: String) -> [String] {
        var problems: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? Object else { return ["\(path): expected object"] }
            let properties = schema["properties"] as? [String: Object] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path).\(key): required") }
            for (key, member) in object {
                if let property = properties[key] {
                    problems += violations(of: property, by: member, at: "\(path).\(key)")
                } else if schema["x-kubernetes-preserve-unknown-fields"] as? Bool != true && !properties.isEmpty {
                    problems.append("\(path).\(key): unknown field")
                }
            }
        case "array":
            guard let items = value as? [Any] else { return ["\(path): expected array"] }
            if let itemSchema = schema["items"] as? Object {
                for (index, item) in items.enumerated() { problems += violations(of: itemSchema, by: item, at: "\(path)[\(index)]") }
            }
        case "string":
            if !(value is String) { problems.append("\(path): expected string") }
        case "integer":
            if !(value is Int) { problems.append("\(path): expected integer") }
        default:
            break
        }
        return problems
    }
}
