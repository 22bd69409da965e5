import ArgumentParser
import CharonSupport
import Lifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Every ``LifecycleSetting`` as a flag (`--ts-hostname` for `TS_HOSTNAME`); a flag wins over
/// the environment variable. Help texts and defaults come from the one table in `Lifecycle`.
struct LifecycleOptions: ParsableArguments {
    @Option(name: .customLong(LifecycleSetting.tsHostname.flagName), help: ArgumentHelp(LifecycleSetting.tsHostname.help))
    var tsHostname: String?
    @Option(name: .customLong(LifecycleSetting.domainName.flagName), help: ArgumentHelp(LifecycleSetting.domainName.help))
    var domainName: String?
    @Option(name: .customLong(LifecycleSetting.headscaleURL.flagName), help: ArgumentHelp(LifecycleSetting.headscaleURL.help))
    var headscaleURL: String?
    @Option(name: .customLong(LifecycleSetting.headscaleNamespace.flagName), help: ArgumentHelp(LifecycleSetting.headscaleNamespace.help))
    var headscaleNamespace: String?
    @Option(name: .customLong(LifecycleSetting.headscaleAPIKey.flagName), help: ArgumentHelp(LifecycleSetting.headscaleAPIKey.help))
    var headscaleAPIKey: String?
    @Option(name: .customLong(LifecycleSetting.headscaleAPIKeyFile.flagName), help: ArgumentHelp(LifecycleSetting.headscaleAPIKeyFile.help))
    var headscaleAPIKeyFile: String?
    @Option(name: .customLong(LifecycleSetting.headscaleUser.flagName), help: ArgumentHelp(LifecycleSetting.headscaleUser.help))
    var headscaleUser: String?
    @Option(name: .customLong(LifecycleSetting.cloudflareAPIToken.flagName), help: ArgumentHelp(LifecycleSetting.cloudflareAPIToken.help))
    var cloudflareAPIToken: String?
    @Option(name: .customLong(LifecycleSetting.cloudflareAPITokenFile.flagName), help: ArgumentHelp(LifecycleSetting.cloudflareAPITokenFile.help))
    var cloudflareAPITokenFile: String?
    @Option(name: .customLong(LifecycleSetting.cloudflareZoneID.flagName), help: ArgumentHelp(LifecycleSetting.cloudflareZoneID.help))
    var cloudflareZoneID: String?
    @Option(name: .customLong(LifecycleSetting.cloudflareAPIURL.flagName), help: ArgumentHelp(LifecycleSetting.cloudflareAPIURL.help))
    var cloudflareAPIURL: String?
    @Option(name: .customLong(LifecycleSetting.authKeyOutputPath.flagName), help: ArgumentHelp(LifecycleSetting.authKeyOutputPath.help))
    var authKeyOutputPath: String?
    @Option(name: .customLong(LifecycleSetting.authKeyExpiration.flagName), help: ArgumentHelp(LifecycleSetting.authKeyExpiration.help))
    var authKeyExpiration: String?
    @Option(name: .customLong(LifecycleSetting.authKeyTags.flagName), help: ArgumentHelp(LifecycleSetting.authKeyTags.help))
    var authKeyTags: String?
    @Option(name: .customLong(LifecycleSetting.authKeyEphemeral.flagName), help: ArgumentHelp(LifecycleSetting.authKeyEphemeral.help))
    var authKeyEphemeral: String?
    @Option(name: .customLong(LifecycleSetting.authKeyReusable.flagName), help: ArgumentHelp(LifecycleSetting.authKeyReusable.help))
    var authKeyReusable: String?
    @Option(name: .customLong(LifecycleSetting.maxRetries.flagName), help: ArgumentHelp(LifecycleSetting.maxRetries.help))
    var maxRetries: String?
    @Option(name: .customLong(LifecycleSetting.retryInterval.flagName), help: ArgumentHelp(LifecycleSetting.retryInterval.help))
    var retryInterval: String?
    @Option(name: .customLong(LifecycleSetting.monitorInterval.flagName), help: ArgumentHelp(LifecycleSetting.monitorInterval.help))
    var monitorInterval: String?
    @Option(name: .customLong(LifecycleSetting.dnsRecheckInterval.flagName), help: ArgumentHelp(LifecycleSetting.dnsRecheckInterval.help))
    var dnsRecheckInterval: String?
    @Option(name: .customLong(LifecycleSetting.fleetManagedDNS.flagName), help: ArgumentHelp(LifecycleSetting.fleetManagedDNS.help))
    var fleetManagedDNS: String?
    @Option(name: .customLong(LifecycleSetting.dnsTTL.flagName), help: ArgumentHelp(LifecycleSetting.dnsTTL.help))
    var dnsTTL: String?
    @Option(name: .customLong(LifecycleSetting.ownerID.flagName), help: ArgumentHelp(LifecycleSetting.ownerID.help))
    var ownerID: String?
    @Option(name: .customLong(LifecycleSetting.httpMaxResponseMiB.flagName), help: ArgumentHelp(LifecycleSetting.httpMaxResponseMiB.help))
    var httpMaxResponseMiB: String?

    /// The flags given, keyed by environment variable name.
    var values: [String: String] {
        let pairs: [(LifecycleSetting, String?)] = [
            (.tsHostname, tsHostname), (.domainName, domainName), (.headscaleURL, headscaleURL),
            (.headscaleNamespace, headscaleNamespace), (.headscaleAPIKey, headscaleAPIKey),
            (.headscaleAPIKeyFile, headscaleAPIKeyFile), (.headscaleUser, headscaleUser),
            (.cloudflareAPIToken, cloudflareAPIToken), (.cloudflareAPITokenFile, cloudflareAPITokenFile),
            (.cloudflareZoneID, cloudflareZoneID), (.cloudflareAPIURL, cloudflareAPIURL),
            (.authKeyOutputPath, authKeyOutputPath), (.authKeyExpiration, authKeyExpiration), (.authKeyTags, authKeyTags),
            (.authKeyEphemeral, authKeyEphemeral), (.authKeyReusable, authKeyReusable), (.maxRetries, maxRetries),
            (.retryInterval, retryInterval), (.monitorInterval, monitorInterval), (.dnsRecheckInterval, dnsRecheckInterval),
            (.fleetManagedDNS, fleetManagedDNS), (.dnsTTL, dnsTTL), (.ownerID, ownerID), (.httpMaxResponseMiB, httpMaxResponseMiB),
        ]
        var result: [String: String] = [:]
        for (setting, value) in pairs { if let value { result[setting.environmentName] = value } }
        return result
    }

    /// Flags over environment over defaults; exits 2 naming the bad setting.
    func resolve() throws -> LifecycleConfiguration {
        do {
            return try LifecycleConfiguration.resolve(environment: ProcessEnvironment.current, flags: values)
        } catch let error as ConfigurationError {
            throw LifecycleExit.badConfiguration(error.message)
        }
    }
}
