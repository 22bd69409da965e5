import CharonSupport
import Headscale
import Logging

/// Issues a fresh pre-auth key for the service's user and writes it where tailscale reads it
/// (`TS_AUTHKEY=file:…`): atomically, mode 0600, and only once Headscale's answer checked out.
///
/// ```swift
/// let issuer = PreAuthKeyIssuer(headscale: headscale, user: "services", options: .init(expiration: .seconds(3600)))
/// try await issuer.issue(writingTo: "/tailscale-auth/authkey")
/// ```
public struct PreAuthKeyIssuer: Sendable {
    public let headscale: HeadscaleClient
    public let user: String
    public let options: PreAuthKeyOptions
    let logger: Logger

    public init(headscale: HeadscaleClient, user: String, options: PreAuthKeyOptions, logger: Logger = Logger(label: "charon.lifecycle")) {
        self.headscale = headscale
        self.user = user
        self.options = options
        self.logger = logger
    }

    /// Resolves the user (unless `resolved` is given) and creates the key (the key is in the
    /// result: never log it).
    public func issue(resolved: HeadscaleUser? = nil) async throws -> PreAuthKey {
        let owner: HeadscaleUser
        if let resolved, resolved.name == user {
            owner = resolved
        } else {
            owner = try await headscale.user(named: user)
        }
        let key = try await headscale.createPreAuthKey(for: owner, options: options)
        logger.info(
            "created \(options.reusable ? "reusable " : "")\(options.ephemeral ? "ephemeral " : "")\(key)\(options.tags.isEmpty ? "" : " tags \(options.tags.joined(separator: ","))")"
        )
        return key
    }

    /// Issues a key and writes it to `path` (0600, temp + fsync + rename): nothing is written
    /// unless every step succeeded.
    @discardableResult
    public func issue(writingTo path: String, resolved: HeadscaleUser? = nil) async throws -> PreAuthKey {
        let key = try await issue(resolved: resolved)
        try AtomicFile.write(Array(key.key.utf8), to: path, mode: 0o600)
        logger.info("wrote the pre-auth key to \(path) (mode 0600)")
        return key
    }
}
