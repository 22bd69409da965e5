import CharonSupport
import Glibc
import HostCommand

/// Talks to containerd through its `ctr` CLI: import an image tarball, look an image up, label it.
///
/// Every call goes to one socket and one namespace (`k8s.io` is the one kubelet's CRI uses).
///
/// ```swift
/// let containerd = ContainerdClient(address: "/run/containerd/containerd.sock", namespace: "k8s.io")
/// try await containerd.importImage("/var/lib/charon-node/tailscale-lifecycle-image.tar")
/// let image = try await containerd.image(named: "localhost/tailscale-lifecycle:latest")
/// try await containerd.removeLabel(image!.reference, key: ContainerdClient.pinnedLabel.key)   // unpin, keep
/// ```
public struct ContainerdClient: Sendable {
    public static let defaultAddress = "/run/containerd/containerd.sock"
    public static let defaultNamespace = "k8s.io"
    /// The label that keeps kubelet's image garbage collector away from an image.
    public static let pinnedLabel = (key: "io.cri-containerd.pinned", value: "pinned")

    public var address: String
    public var namespace: String
    public var ctr: HostCommand
    /// How long `ctr` may try to connect before giving up.
    public var connectTimeoutSeconds: Int

    public init(
        address: String = defaultAddress,
        namespace: String = defaultNamespace,
        ctr: HostCommand = HostCommand(executable: "ctr"),
        connectTimeoutSeconds: Int = 5
    ) {
        self.address = address
        self.namespace = namespace
        self.ctr = ctr
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// One image as containerd lists it.
    public struct ImageRecord: Hashable, Sendable {
        public var reference: String
        public var digest: String
        public var labels: [String: String]

        public var isPinned: Bool { labels[ContainerdClient.pinnedLabel.key] == ContainerdClient.pinnedLabel.value }
    }

    /// containerd's version, as a liveness probe of the socket.
    public func serverVersion() async throws -> String {
        let output = try await ctrCheck(["version"])
        // "Server:\n  Version:  1.6.20~ds1\n ..." — the second Version line is the server's.
        let versions = output.split(whereSeparator: \.isNewline).filter { $0.contains("Version:") }
        return versions.count >= 2 ? String(versions[1].split(separator: ":", maxSplits: 1)[1]).trimmingSpaces : "unknown"
    }

    /// Imports an OCI or Docker archive (unpacked for the default snapshotter, as kubelet needs).
    public func importImage(_ tarball: String) async throws {
        try await ctrCheck(["images", "import", tarball])
    }

    /// The image with exactly this reference, or `nil` if containerd does not have it.
    public func image(named reference: String) async throws -> ImageRecord? {
        let output = try await ctrCheck(["images", "ls", "name==\(reference)"])
        return Self.parseImageList(output).first { $0.reference == reference }
    }

    /// Sets one label on an image.
    public func label(_ reference: String, key: String, value: String) async throws {
        try await ctrCheck(["images", "label", reference, "\(key)=\(value)"])
    }

    /// Removes one label from an image, keeping the image: `ctr images label REF KEY=` (containerd
    /// drops a label set to the empty string; core/metadata's writeMap). Removing an absent label
    /// succeeds.
    public func removeLabel(_ reference: String, key: String) async throws {
        try await ctrCheck(["images", "label", reference, "\(key)="])
    }

    /// Parses `ctr images ls` (columns REF TYPE DIGEST SIZE PLATFORMS LABELS; SIZE has a space).
    static func parseImageList(_ text: String) -> [ImageRecord] {
        text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard columns.count >= 3, columns[2].hasPrefix("sha256:") else { return nil }
            var labels: [String: String] = [:]
            if let last = columns.last, last != "-", columns.count >= 7 {
                for pair in last.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { labels[parts[0]] = parts[1] }
                }
            }
            return ImageRecord(reference: columns[0], digest: columns[2], labels: labels)
        }
    }

    @discardableResult
    private func ctrCheck(_ arguments: [String]) async throws -> String {
        // ctr waits its whole connect timeout for a socket that does not exist; say so at once.
        var info = stat()
        guard stat(address, &info) == 0 else {
            throw ContainerdError.socketMissing(address)
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw ContainerdError.notASocket(address) }
        let output: HostCommand.Output
        do {
            output = try await ctr.run(
                ["--address", address, "--namespace", namespace, "--connect-timeout", "\(connectTimeoutSeconds)s"] + arguments
            )
        } catch let failure as HostCommand.Failure {
            throw ContainerdError.ctrUnavailable(failure.reason)
        }
        guard output.succeeded else {
            throw ContainerdError.commandFailed(
                command: "ctr " + arguments.prefix(2).joined(separator: " "),
                message: Self.cleanMessage(output.standardError, exitCode: output.exitCode)
            )
        }
        return output.standardOutput
    }

    /// One line from ctr's stderr: the last line, without the `ctr: ` prefix or Go's dial noise.
    static func cleanMessage(_ stderr: String, exitCode: Int32) -> String {
        guard var line = HostCommand.lastLine(of: stderr) else { return "exited with status \(exitCode)" }
        if line.hasPrefix("ctr: ") { line.removeFirst(5) }
        if line.contains("connection refused") { return "connection refused (containerd is not listening on this socket)" }
        if line.contains("permission denied") { return "permission denied on the containerd socket" }
        return line
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
