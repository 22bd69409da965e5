/// The flags of one `tailscale up` that joins this node to Headscale with a pre-auth key.
///
/// The key is passed as `--auth-key=file:PATH`, never on the command line (where `ps` and the
/// CLI's error messages would show it). `--reset` makes the flags given the whole configuration;
/// `--accept-dns=false` keeps tailscaled off the node's resolver; `--timeout` is essential against
/// Headscale, which answers a bad or used key with 401 that tailscaled retries forever.
///
/// ```swift
/// let options = TailscaleUpOptions(loginServer: "https://hs.example.com", hostname: "nginx-ingress-node1",
///                                  authKeyFile: "/run/charon-node/authkey")
/// try await cli.up(options)
/// ```
public struct TailscaleUpOptions: Sendable, Equatable {
    public var loginServer: String
    public var hostname: String
    /// Path of a file holding the key; nil brings up a node that still has a valid node key.
    public var authKeyFile: String?
    /// Re-authenticate even if logged in: recovers an expired key or a changed login server.
    public var forceReauth: Bool
    public var acceptDNS: Bool
    /// How long `tailscale up` may wait for `Running`.
    public var timeoutSeconds: Int

    public init(
        loginServer: String,
        hostname: String,
        authKeyFile: String?,
        forceReauth: Bool = false,
        acceptDNS: Bool = false,
        timeoutSeconds: Int = 60
    ) {
        self.loginServer = loginServer
        self.hostname = hostname
        self.authKeyFile = authKeyFile
        self.forceReauth = forceReauth
        self.acceptDNS = acceptDNS
        self.timeoutSeconds = timeoutSeconds
    }

    /// Arguments after `tailscale`, in `--flag=value` form so no value is read as a flag.
    public var arguments: [String] {
        var arguments = [
            "up", "--login-server=\(loginServer)", "--hostname=\(hostname)", "--accept-dns=\(acceptDNS)", "--reset",
            "--timeout=\(timeoutSeconds)s",
        ]
        if let authKeyFile { arguments.append("--auth-key=file:\(authKeyFile)") }
        if forceReauth { arguments.append("--force-reauth") }
        return arguments
    }
}
