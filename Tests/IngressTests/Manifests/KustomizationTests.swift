import CharonSupport
import TestSupport
import Testing

/// `daemonset/kustomization.yaml`, which makes `kubectl apply -k daemonset/` the whole install:
/// it lists every manifest of the install (a new one cannot be forgotten), only files that exist,
/// and every namespace an object of the install lives in is created by the install itself.
struct KustomizationTests {
    typealias Object = [String: Any]

    /// Manifests in daemonset/ that are deliberately not part of the install.
    static let notInstalled: Set<String> = ["example-statefulset.yaml", "kustomization.yaml"]

    static func resources() throws -> [String] {
        let kustomization = try #require(try IngressManifestTests.load("kustomization.yaml").first)
        #expect(kustomization["apiVersion"] as? String == "kustomize.config.k8s.io/v1beta1")
        #expect(kustomization["kind"] as? String == "Kustomization")
        return try #require(kustomization["resources"] as? [String])
    }

    @Test func listsEveryManifestOfTheInstallAndNothingElse() throws {
        let listed = try Self.resources()
        #expect(Set(listed).count == listed.count, "no file twice")
        let present = try POSIXIO.listDirectory("\(BuiltProducts.packageRoot)/daemonset").filter { $0.hasSuffix(".yaml") }
        #expect(Set(listed) == Set(present).subtracting(Self.notInstalled), "daemonset/*.yaml and the kustomization disagree")
    }

    @Test func everyNamespaceUsedIsCreatedByTheInstall() throws {
        var created: Set<String> = []
        var used: [String: String] = [:]  // namespace -> an object in it
        for file in try Self.resources() {
            for object in try IngressManifestTests.load(file) {
                let metadata = object["metadata"] as? Object ?? [:]
                if object["kind"] as? String == "Namespace", let name = metadata["name"] as? String { created.insert(name) }
                if let namespace = metadata["namespace"] as? String {
                    used[namespace] = "\(file): \(object["kind"] as? String ?? "?") \(metadata["name"] as? String ?? "?")"
                }
            }
        }
        for (namespace, example) in used.sorted(by: { $0.key < $1.key }) {
            #expect(created.contains(namespace), "\(example) is in namespace \(namespace), which the install does not create")
        }
    }
}
