import ArgumentParser
import Containerd

/// `--containerd-address` and `--namespace`, shared by `image import`, `image rebuild` and `agent`.
struct ContainerdOptions: ParsableArguments {
    @Option(help: ArgumentHelp("containerd socket (env CONTAINERD_ADDRESS).", valueName: "socket"))
    var containerdAddress: String = Environment.containerdAddress

    @Option(help: ArgumentHelp("containerd namespace; kubelet uses k8s.io (env CONTAINERD_NAMESPACE).", valueName: "name"))
    var namespace: String = Environment.containerdNamespace

    var client: ContainerdClient {
        ContainerdClient(address: containerdAddress, namespace: namespace)
    }
}
