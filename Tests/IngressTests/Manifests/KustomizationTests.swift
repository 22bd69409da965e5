import CharonSupport
import Glibc
import HostCommand
import TestSupport
import Testing
import Yams

/// Every kustomization under `daemonset/`, rendered by real kustomize (`kubectl kustomize`, the
/// one `kubectl apply -k` runs): each renders, lists every manifest of its folder (a new one cannot
/// be forgotten), creates every namespace its objects live in, and runs no node-local
/// (`localhost/`) image with a pull policy that would ever pull it: a missing `localhost/` image
/// would be fetched over plain http from the node's own port 80, the internal controller.
struct KustomizationTests {
    typealias Object = [String: Any]

    /// The install variants and the base they share.
    static let folders = ["daemonset", "daemonset/base", "daemonset/traefik"]
    /// Manifests deliberately in no kustomization: a service to copy, and optional Gateway API routes.
    static let notInstalled: Set<String> = ["example-statefulset.yaml", "gateway.yaml", "kustomization.yaml"]

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

    static func render(_ folder: String) async throws -> [Object] {
        let output = try await HostCommand(executable: try kubectl()).check(["kustomize", "\(BuiltProducts.packageRoot)/\(folder)"])
        return try Yams.load_all(yaml: output).compactMap { $0 as? Object }
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
        #expect(Set(found) == Set(Self.folders))
    }

    @Test(arguments: folders)
    func listsEveryManifestOfItsFolder(folder: String) throws {
        let kustomization = try #require(
            try Yams.load(yaml: String(decoding: try POSIXIO.readFile("\(BuiltProducts.packageRoot)/\(folder)/kustomization.yaml"), as: UTF8.self))
                as? Object
        )
        #expect(kustomization["apiVersion"] as? String == "kustomize.config.k8s.io/v1beta1")
        #expect(kustomization["kind"] as? String == "Kustomization")
        let listed = Set((kustomization["resources"] as? [String] ?? []).filter { $0.hasSuffix(".yaml") })
        let present = Set(try POSIXIO.listDirectory("\(BuiltProducts.packageRoot)/\(folder)").filter { $0.hasSuffix(".yaml") })
        #expect(listed == present.subtracting(Self.notInstalled), "\(folder)/*.yaml and its kustomization disagree")
    }

    @Test(arguments: folders)
    func rendersWithEveryNamespaceItUsesCreated(folder: String) async throws {
        var created: Set<String> = []
        var used: [String: String] = [:]  // namespace -> an object in it
        for object in try await Self.render(folder) {
            let metadata = object["metadata"] as? Object ?? [:]
            if object["kind"] as? String == "Namespace", let name = metadata["name"] as? String { created.insert(name) }
            if let namespace = metadata["namespace"] as? String {
                used[namespace] = "\(object["kind"] as? String ?? "?") \(metadata["name"] as? String ?? "?")"
            }
        }
        #expect(!used.isEmpty)
        for (namespace, example) in used.sorted(by: { $0.key < $1.key }) {
            #expect(created.contains(namespace), "\(folder): \(example) is in namespace \(namespace), which the install does not create")
        }
    }

    @Test(arguments: folders)
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
}
