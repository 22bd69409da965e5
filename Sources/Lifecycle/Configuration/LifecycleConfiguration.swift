import CharonSupport

/// The resolved settings of one `charon-lifecycle` run: a flag wins over the environment variable,
/// which wins over the default in ``LifecycleSetting``; secrets may come from `*_FILE`.
///
/// ```swift
/// let configuration = try LifecycleConfiguration.resolve(environment: ProcessEnvironment.current, flags: [:])
/// print(configuration.fqdn ?? "no DNS")  // "ollama.example.com"
/// ```
public struct LifecycleConfiguration: Sendable {
    /// Cloudflare settings, present only when a token is.
    public struct CloudflareSettings: Sendable {
        public var apiURL: String
        public var token: String
        public var zoneID: String
    }

    public var hostname: String
    public var domainName: String?
    public var headscaleURL: String
    public var headscaleAPIKey: String
    public var headscaleUser: String
    public var cloudflare: CloudflareSettings?
    public var authKeyOutputPath: String
    public var authKeyExpiration: Duration
    public var authKeyTags: [String]
    public var authKeyEphemeral: Bool
    public var authKeyReusable: Bool
    public var maxRetries: Int
    public var retryInterval: Duration
    public var monitorInterval: Duration
    public var dnsRecheckInterval: Duration
    /// `FLEET_MANAGED_DNS`: the fleet pass re-checks the zone, so dns-create does no periodic re-read.
    public var fleetManagedDNS: Bool = false
    public var dnsTTL: Int
    public var ownerID: String
    /// Cap on every response body, decoded (`HTTP_MAX_RESPONSE_MIB`, 4 MiB by default).
    public var maxResponseBytes: Int

    /// `<first label of TS_HOSTNAME>.<DOMAIN_NAME>`, or nil without a domain.
    public var fqdn: String? {
        guard let domainName else { return nil }
        let label = hostname.split(separator: ".").first.map(String.init) ?? hostname
        return "\(label).\(domainName)"
    }

    /// One warning per credential that would travel unencrypted: the API key or token sent over
    /// `http://` to a host other than loopback. Empty when every secret goes over https (or stays
    /// on this machine).
    public var plainHTTPWarnings: [String] {
        var warnings: [String] = []
        if PlainHTTP.exposes(headscaleURL) {
            warnings.append(
                "HEADSCALE_URL=\(headscaleURL) is plain http to another host: the API key crosses the network unencrypted; use https://"
            )
        }
        if let cloudflare, PlainHTTP.exposes(cloudflare.apiURL) {
            warnings.append(
                "CLOUDFLARE_API_URL=\(cloudflare.apiURL) is plain http to another host: the token crosses the network unencrypted; use https://"
            )
        }
        return warnings
    }

    /// The comment written on every record this tool creates.
    public var ownershipMarker: String { RecordOwnership.marker(ownerID: ownerID) }

    /// Resolves every setting; throws ``ConfigurationError`` naming the first bad one.
    /// `flags` and `environment` are keyed by environment variable name.
    public static func resolve(environment: [String: String], flags: [String: String]) throws -> LifecycleConfiguration {
        for setting in LifecycleSetting.allCases where setting.isSecret && flags[setting.environmentName] != nil {
            throw ConfigurationError(
                "--\(setting.flagName) is refused: a secret on the command line is readable by every process on the node "
                    + "(/proc/<pid>/cmdline, ps); set \(setting.environmentName) or \(setting.environmentName)_FILE instead"
            )
        }
        func raw(_ setting: LifecycleSetting) -> String? {
            if let value = flags[setting.environmentName], !value.isEmpty { return value }
            if let value = environment[setting.environmentName], !value.isEmpty { return value }
            return nil
        }
        func value(_ setting: LifecycleSetting) -> String? {
            guard let text = raw(setting) ?? setting.defaultValue else { return nil }
            // Only the Headscale URL default refers to another setting.
            if text.contains("$HEADSCALE_NAMESPACE") {
                let namespace = raw(.headscaleNamespace) ?? LifecycleSetting.headscaleNamespace.defaultValue!
                return text.replacing("$HEADSCALE_NAMESPACE", with: namespace)
            }
            return text
        }
        func required(_ setting: LifecycleSetting, _ why: String = "is required") throws -> String {
            guard let text = value(setting) else { throw ConfigurationError("\(setting.environmentName) \(why)") }
            return text
        }
        func secret(_ setting: LifecycleSetting, file: LifecycleSetting) throws -> String? {
            if let direct = raw(setting) { return direct }
            guard let path = raw(file) else { return nil }
            let bytes: [UInt8]
            do {
                bytes = try POSIXIO.readFile(path)
            } catch {
                throw ConfigurationError("\(file.environmentName): cannot read \(path): \(error)")
            }
            let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            guard !text.isEmpty else { throw ConfigurationError("\(file.environmentName): \(path) is empty") }
            return text
        }
        func duration(_ setting: LifecycleSetting) throws -> Duration {
            let text = try required(setting)
            guard let duration = DurationParser.parse(text), duration > .zero else {
                throw ConfigurationError("\(setting.environmentName)=\(text) is not a positive duration (e.g. 30, 30s, 5m, 1h)")
            }
            return duration
        }
        func integer(_ setting: LifecycleSetting, in range: ClosedRange<Int>) throws -> Int {
            let text = try required(setting)
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError("\(setting.environmentName)=\(text) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        func boolean(_ setting: LifecycleSetting) throws -> Bool {
            let text = try required(setting)
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw ConfigurationError("\(setting.environmentName)=\(text) is not true or false")
            }
        }
        func url(_ setting: LifecycleSetting) throws -> String {
            let text = try required(setting)
            guard text.hasPrefix("http://") || text.hasPrefix("https://") || text.hasPrefix("http+unix://") else {
                throw ConfigurationError("\(setting.environmentName)=\(text) is not an http:// or https:// URL")
            }
            return text
        }

        let hostname = try required(.tsHostname)
        guard hostname.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), !hostname.hasPrefix("-") else {
            throw ConfigurationError("TS_HOSTNAME=\(hostname) is not a valid hostname")
        }
        let domainName = value(.domainName).map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
        guard let apiKey = try secret(.headscaleAPIKey, file: .headscaleAPIKeyFile) else {
            throw ConfigurationError("HEADSCALE_API_KEY or HEADSCALE_API_KEY_FILE is required")
        }
        var cloudflare: CloudflareSettings?
        if let token = try secret(.cloudflareAPIToken, file: .cloudflareAPITokenFile) {
            cloudflare = CloudflareSettings(
                apiURL: try url(.cloudflareAPIURL),
                token: token,
                zoneID: try required(.cloudflareZoneID, "is required with a Cloudflare token")
            )
            guard domainName != nil else { throw ConfigurationError("DOMAIN_NAME is required with a Cloudflare token") }
        }
        let tags = (value(.authKeyTags) ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        for tag in tags where !tag.hasPrefix("tag:") || tag.count < 5 {
            throw ConfigurationError("AUTHKEY_TAGS: \(tag) is not an ACL tag (tag:name)")
        }
        let ownerID = try required(.ownerID)
        guard RecordOwnership.isValidMarker(RecordOwnership.marker(ownerID: ownerID)) else {
            throw ConfigurationError("OWNER_ID=\(ownerID) must keep the record comment under 100 characters on one line")
        }
        let ttl = try integer(.dnsTTL, in: 1...86400)
        guard ttl == 1 || ttl >= 30 else { throw ConfigurationError("DNS_TTL=\(ttl) must be 1 (automatic) or 30 to 86400") }

        return LifecycleConfiguration(
            hostname: hostname,
            domainName: domainName,
            headscaleURL: try url(.headscaleURL),
            headscaleAPIKey: apiKey,
            headscaleUser: try required(.headscaleUser),
            cloudflare: cloudflare,
            authKeyOutputPath: try required(.authKeyOutputPath),
            authKeyExpiration: try duration(.authKeyExpiration),
            authKeyTags: tags,
            authKeyEphemeral: try boolean(.authKeyEphemeral),
            authKeyReusable: try boolean(.authKeyReusable),
            maxRetries: try integer(.maxRetries, in: 1...100_000),
            retryInterval: try duration(.retryInterval),
            monitorInterval: try duration(.monitorInterval),
            dnsRecheckInterval: try duration(.dnsRecheckInterval),
            fleetManagedDNS: try boolean(.fleetManagedDNS),
            dnsTTL: ttl,
            ownerID: ownerID,
            maxResponseBytes: try integer(.httpMaxResponseMiB, in: 1...1024) << 20
        )
    }
}
