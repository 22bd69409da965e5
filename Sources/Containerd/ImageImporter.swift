import Logging

/// Imports an image tarball and makes sure it stays: verify the reference resolves to the digest
/// just built, then pin it so kubelet's image GC leaves it alone.
///
/// ```swift
/// let importer = ImageImporter(containerd: client)
/// let result = try await importer.ensure(reference: "localhost/tailscale-lifecycle:latest",
///                                        digest: "sha256:…", tarball: path)
/// result.imported  // false when containerd already had it, pinned
/// ```
public struct ImageImporter: Sendable {
    public var containerd: ContainerdClient
    public var logger: Logger

    public init(containerd: ContainerdClient, logger: Logger = Logger(label: "charon.import")) {
        self.containerd = containerd
        self.logger = logger
    }

    public struct Result: Sendable, Equatable {
        /// Whether `ctr images import` ran.
        public var imported: Bool
        /// Whether the pin label had to be (re)applied.
        public var pinned: Bool
    }

    /// Imports only when containerd lacks the image or holds another digest under its name; pins
    /// when the label is missing. Cheap when everything is in place: one `ctr images ls`.
    public func ensure(reference: String, digest: String, tarball: String, force: Bool = false) async throws -> Result {
        var imported = false
        var current = try await containerd.image(named: reference)
        if force || current?.digest != digest {
            if let current, current.digest != digest {
                logger.info("\(reference) is \(current.digest) in containerd, want \(digest): importing \(tarball)")
            } else {
                logger.info("importing \(tarball) as \(reference)")
            }
            do {
                try await containerd.importImage(tarball)
                imported = true
            } catch let error as ContainerdError where error.isAlreadyExists {
                // Another importer (a second agent, an operator's `image rebuild`) created the
                // image between our look and our import, and containerd refuses a second create.
                // What counts is what it holds now: verified just below, like our own import.
                logger.info("\(reference) was imported meanwhile by another process: \(error)")
            }
            current = try await containerd.image(named: reference)
        }
        guard let current else { throw ContainerdError.notFoundAfterImport(reference: reference) }
        guard current.digest == digest else {
            throw ContainerdError.digestMismatch(reference: reference, expected: digest, found: current.digest)
        }
        var pinned = false
        if !current.isPinned {
            try await containerd.label(reference, key: ContainerdClient.pinnedLabel.key, value: ContainerdClient.pinnedLabel.value)
            pinned = true
        }
        if imported || pinned {
            logger.info("\(reference) is \(digest) in containerd namespace \(containerd.namespace), pinned")
        } else {
            logger.info("unchanged: containerd already has \(reference) at \(digest), pinned")
        }
        return Result(imported: imported, pinned: pinned)
    }
}
