import Agent
import ArgumentParser
import Containerd

/// `--containerd-address` and `--namespace`, shared by `image import`, `image rebuild` and `agent`.
struct ContainerdOptions: ParsableArguments {
    @Option(
        name: .setting(.containerdAddress),
        help: ArgumentHelp(NodeSetting.containerdAddress.help, valueName: NodeSetting.containerdAddress.valueName)
    )
    var containerdAddress: String = Environment.containerdAddress

    @Option(
        name: .setting(.containerdNamespace),
        help: ArgumentHelp(NodeSetting.containerdNamespace.help, valueName: NodeSetting.containerdNamespace.valueName)
    )
    var namespace: String = Environment.containerdNamespace

    var client: ContainerdClient {
        ContainerdClient(address: containerdAddress, namespace: namespace)
    }
}
