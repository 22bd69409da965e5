import CharonSupport
import Containerd

/// Takes the pin (`io.cri-containerd.pinned=pinned`) off the images the agent pinned, keeping the
/// images themselves: running pods use them, and kubelet's image GC may collect them once unused.
///
/// ```swift
/// let unpinning = ImageUnpinning(containerd: ContainerdClient(), references: ["localhost/tailscale-lifecycle:latest"])
/// print("image: \(try await unpinning.run())")   // image: unpinned localhost/tailscale-lifecycle:latest (kept)
/// ```
public struct ImageUnpinning: Sendable {
    public var containerd: ContainerdClient
    public var references: [String]

    public init(containerd: ContainerdClient, references: [String]) {
        self.containerd = containerd
        self.references = references
    }

    public func run() async throws -> UninstallOutcome {
        var unpinned: [String] = []
        var absent: [String] = []
        for reference in references {
            let found: ContainerdClient.ImageRecord?
            do {
                found = try await containerd.image(named: reference)
            } catch ContainerdError.socketMissing(let path) {
                return .alreadyDone("no containerd socket at \(path): nothing pinned there")
            }
            guard let image = found else {
                absent.append("\(reference) not in containerd")
                continue
            }
            guard image.isPinned else {
                absent.append("\(reference) not pinned")
                continue
            }
            try await containerd.removeLabel(reference, key: ContainerdClient.pinnedLabel.key)
            guard let after = try await containerd.image(named: reference), !after.isPinned else {
                throw ContainerdError.commandFailed(
                    command: "ctr images label",
                    message: "\(reference) is still pinned (or gone) after removing the label"
                )
            }
            unpinned.append(reference)
        }
        let note = absent.isEmpty ? "" : "; \(absent.joined(separator: ", "))"
        guard !unpinned.isEmpty else { return .alreadyDone(absent.joined(separator: ", ")) }
        return .done("unpinned \(unpinned.joined(separator: ", ")) (kept in containerd \(containerd.namespace))\(note)")
    }
}
