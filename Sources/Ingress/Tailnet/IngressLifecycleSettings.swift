import Lifecycle

/// The Lifecycle settings for a node's ingress: the pods' variables (`HEADSCALE_*`, `CLOUDFLARE_*`,
/// `DOMAIN_NAME`, `AUTHKEY_*`, `DNS_TTL`, `OWNER_ID`) with `TS_HOSTNAME` fixed to
/// `nginx-ingress-<node>`, so the record is `nginx-ingress-<node>.<DOMAIN_NAME>`.
///
/// ```swift
/// let configuration = try IngressLifecycleSettings.configuration(hostname: try IngressHostname(nodeName: "node1"),
///                                                               environment: ProcessEnvironment.current)
/// ```
public enum IngressLifecycleSettings {
    public static func configuration(
        hostname: IngressHostname,
        environment: [String: String],
        flags: [String: String] = [:]
    ) throws -> LifecycleConfiguration {
        var flags = flags
        flags[LifecycleSetting.tsHostname.environmentName] = hostname.value
        return try LifecycleConfiguration.resolve(environment: environment, flags: flags)
    }
}
