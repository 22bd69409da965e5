import Agent
import ArgumentParser
import Ingress
import Kubernetes
import Lifecycle

/// Which internal controller, where its configuration lives, and how to reach the Kubernetes API.
struct ControllerOptions: ParsableArguments {
    @Option(
        name: .setting(.ingressController),
        help: ArgumentHelp(NodeSetting.ingressController.help, valueName: NodeSetting.ingressController.valueName)
    )
    var controller: String = Environment.ingressController

    @Option(
        name: .setting(.ingressControllerNamespace),
        help: ArgumentHelp(NodeSetting.ingressControllerNamespace.help, valueName: NodeSetting.ingressControllerNamespace.valueName)
    )
    var controllerNamespace: String?

    @Option(
        name: .setting(.ingressControllerConfigMap),
        help: ArgumentHelp(NodeSetting.ingressControllerConfigMap.help, valueName: NodeSetting.ingressControllerConfigMap.valueName)
    )
    var controllerConfigmap: String = Environment.controllerConfigMap

    @Option(
        name: .setting(.traefikMiddleware),
        help: ArgumentHelp(NodeSetting.traefikMiddleware.help, valueName: NodeSetting.traefikMiddleware.valueName)
    )
    var traefikMiddleware: String = Environment.traefikMiddleware

    @Option(help: ArgumentHelp("Kubernetes API URL without credentials (a kubectl proxy); default: in-cluster.", valueName: "url"))
    var apiServer: String?

    /// The adapters, by the name `--controller` takes.
    static let controllers = ["traefik", "ingress-nginx"]

    /// nil outside Kubernetes (no --api-server, no in-cluster service account); throws for a
    /// controller name it does not know.
    func adapter() throws -> (any IngressControllerAdapter)? {
        guard Self.controllers.contains(controller) else {
            throw ConfigurationError(
                "INGRESS_CONTROLLER (--controller) is \"\(controller)\": expected \(Self.controllers.joined(separator: " or "))"
            )
        }
        let configuration =
            apiServer.map { KubernetesConfiguration(apiServer: $0, tokenFile: nil, caFile: nil) }
            ?? KubernetesConfiguration.inCluster(environment: Environment.all)
        guard let configuration else { return nil }
        let client = KubernetesClient(configuration: configuration)
        let namespace = controllerNamespace ?? Environment.controllerNamespace
        switch controller {
        case "traefik":
            return TraefikAdapter(client: client, namespace: namespace ?? TraefikAdapter.defaultNamespace, middleware: traefikMiddleware)
        default:
            return IngressNginxAdapter(client: client, namespace: namespace ?? "ingress-nginx", configMap: controllerConfigmap)
        }
    }
}
