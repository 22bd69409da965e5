import CharonSupport
import Glibc

/// Removes charon's state on the node: the image output's files (the tarball, its lock, build
/// record, SBOM and the temporaries of interrupted builds) and its folder when that is charon's
/// own or left empty, and whole folders that are charon's alone (tailscaled's state, the key
/// folder). Every path must be absolute and not `/`; nothing outside the given paths is touched.
///
/// A folder that is a mount point (a hostPath in the uninstall pod) cannot be removed from inside
/// the container: it is emptied and said so.
///
/// ```swift
/// let state = try StateRemoval(imageOutput: "/var/lib/charon-node/tailscale-lifecycle-image.tar",
///                              ownedFolders: ["/var/lib/charon-node-tailscale", "/run/charon-node"])
/// print("state: \(state.run())")
/// ```
public struct StateRemoval: Sendable {
    /// The default state folder: removed whole when the image output lives in it.
    public static let defaultStateFolder = "/var/lib/charon-node"

    public let imageOutput: String
    public let ownedFolders: [String]

    /// Throws ``StateRemovalError`` for a path that is relative, `/`, or has `.`/`..` parts.
    public init(imageOutput: String, ownedFolders: [String]) throws {
        for path in [imageOutput] + ownedFolders { try Self.validate(path) }
        self.imageOutput = Self.trimmed(imageOutput)
        self.ownedFolders = ownedFolders.map(Self.trimmed)
    }

    static func validate(_ path: String) throws {
        guard path.hasPrefix("/") else { throw StateRemovalError(path: path, reason: "is not absolute") }
        let parts = path.split(separator: "/")
        guard !parts.isEmpty else { throw StateRemovalError(path: path, reason: "is the root folder") }
        guard !parts.contains(where: { $0 == "." || $0 == ".." }) else {
            throw StateRemovalError(path: path, reason: "has . or .. in it")
        }
    }

    static func trimmed(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }

    /// Removes what is there; the outcome lists each path.
    public func run() throws -> UninstallOutcome {
        var done: [String] = []
        var absent: [String] = []
        func record(_ path: String, _ result: Removal) {
            switch result {
            case .absent: absent.append(path)
            case .removed: done.append("removed \(path)")
            case .emptied: done.append("emptied \(path) (a mount point)")
            case .alreadyEmpty: absent.append("\(path) (an empty mount point)")
            }
        }
        let folder = POSIXIO.directoryName(of: imageOutput)
        if folder == Self.defaultStateFolder {
            record(folder, try removeFolder(folder))
        } else {
            let base = POSIXIO.baseName(of: imageOutput)
            let names = (try? POSIXIO.listDirectory(folder)) ?? []
            let owned = names.filter { name in
                [base, "\(base).lock", "\(base).inputs.json", "\(base).spdx.json"].contains(name)
                    || (name.hasPrefix(".\(base).") && name.contains(".tmp-"))
            }
            for name in owned.sorted() {
                TemporaryFiles.removeTree("\(folder)/\(name)")
                guard !POSIXIO.exists("\(folder)/\(name)") else { throw StateRemovalError(path: "\(folder)/\(name)", reason: "could not be removed") }
                done.append("removed \(folder)/\(name)")
            }
            if owned.isEmpty { absent.append(imageOutput) }
            // The folder goes only when nothing else is in it.
            if POSIXIO.exists(folder), (try? POSIXIO.listDirectory(folder))?.isEmpty == true, rmdir(folder) == 0 {
                done.append("removed \(folder)")
            }
        }
        for path in ownedFolders { record(path, try removeFolder(path)) }
        if done.isEmpty { return .alreadyDone("nothing at \(absent.joined(separator: ", "))") }
        let rest = absent.isEmpty ? "" : "; already absent: \(absent.joined(separator: ", "))"
        return .done(done.joined(separator: ", ") + rest)
    }

    enum Removal { case absent, removed, emptied, alreadyEmpty }

    private func removeFolder(_ path: String) throws -> Removal {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        let names = (try? POSIXIO.listDirectory(path)) ?? []
        let wasEmpty = names.isEmpty
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in names { TemporaryFiles.removeTree("\(path)/\(name)") }
            if let left = try? POSIXIO.listDirectory(path), !left.isEmpty {
                throw StateRemovalError(path: path, reason: "could not remove \(left.sorted().joined(separator: ", "))")
            }
            if rmdir(path) == 0 { return .removed }
            // A mount point (EBUSY) keeps its folder; its content is gone.
            guard errno == EBUSY else { throw StateRemovalError(path: path, reason: String(cString: strerror(errno))) }
            return wasEmpty ? .alreadyEmpty : .emptied
        }
        guard unlink(path) == 0 else { throw StateRemovalError(path: path, reason: String(cString: strerror(errno))) }
        return .removed
    }
}
