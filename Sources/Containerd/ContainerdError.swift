/// Why talking to containerd failed, in one line.
///
/// ```swift
/// do {
///     try await containerd.importImage(tarball)
/// } catch let error as ContainerdError where error.isAlreadyExists {
///     // another importer created the image first: check what containerd holds now
/// } catch let error as ContainerdError {
///     print(error)  // containerd socket /run/containerd/containerd.sock does not exist (is containerd running?)
/// }
/// ```
public enum ContainerdError: Error, CustomStringConvertible, Equatable {
    case socketMissing(String)
    case notASocket(String)
    case ctrUnavailable(String)
    case commandFailed(command: String, message: String)
    case digestMismatch(reference: String, expected: String, found: String)
    case notFoundAfterImport(reference: String)

    /// containerd refused to create something that exists already, e.g. two imports of one image
    /// at once: `image "localhost/x:latest": already exists`.
    public var isAlreadyExists: Bool {
        guard case .commandFailed(_, let message) = self else { return false }
        return message.hasSuffix("already exists")
    }

    public var description: String {
        switch self {
        case .socketMissing(let path): "containerd socket \(path) does not exist (is containerd running?)"
        case .notASocket(let path): "\(path) is not a socket (wrong --containerd-address?)"
        case .ctrUnavailable(let reason): "cannot run ctr: \(reason)"
        case .commandFailed(let command, let message): "\(command) failed: \(message)"
        case .digestMismatch(let reference, let expected, let found): "\(reference) resolves to \(found) in containerd, expected \(expected)"
        case .notFoundAfterImport(let reference): "\(reference) is missing from containerd right after importing it"
        }
    }
}
