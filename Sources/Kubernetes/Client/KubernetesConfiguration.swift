import CharonSupport

/// Where the Kubernetes API is and how to prove who we are: the API server URL, the service
/// account token file (read again for every request, since kubelet rotates it), and the CA that
/// signed the API server's certificate.
///
/// ```swift
/// if let configuration = KubernetesConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1",
///                                                                         "KUBERNETES_SERVICE_PORT": "443"]) {
///     let client = KubernetesClient(configuration: configuration)
/// }
/// ```
public struct KubernetesConfiguration: Sendable, Equatable {
    /// Where a pod finds its service account: `token`, `ca.crt`, `namespace`.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// `https://10.96.0.1:443`, no trailing slash.
    public var apiServer: String
    /// Bearer token file; `nil` sends no `Authorization` (only for tests and proxies).
    public var tokenFile: String?
    /// PEM bundle to verify the API server with; `nil` uses the system bundle.
    public var caFile: String?

    public init(apiServer: String, tokenFile: String?, caFile: String?) {
        self.apiServer = apiServer.hasSuffix("/") ? String(apiServer.dropLast()) : apiServer
        self.tokenFile = tokenFile
        self.caFile = caFile
    }

    /// The configuration every pod gets: `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` and the
    /// mounted service account. `nil` outside Kubernetes (no `KUBERNETES_SERVICE_HOST`).
    public static func inCluster(environment: [String: String], serviceAccountDirectory: String = serviceAccountDirectory) -> KubernetesConfiguration?
    {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return KubernetesConfiguration(
            apiServer: "https://\(bracketed):\(port)",
            tokenFile: "\(serviceAccountDirectory)/token",
            caFile: "\(serviceAccountDirectory)/ca.crt"
        )
    }
}
