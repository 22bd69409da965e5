/// A Headscale and a Cloudflare fake started together, with the user the service nodes belong to,
/// and the settings that point charon at them: what every lifecycle, fleet and ingress test
/// world starts with.
///
/// ```swift
/// try await withFake(try await HeadscaleAndCloudflare.start(user: "services")) { apis in
///     apis.headscale.addNode(name: "ollama", user: "services")
///     let configuration = try FleetConfiguration.resolve(environment: apis.environment.merging(["DOMAIN_NAME": "example.com"]) { $1 })
/// }
/// ```
public final class HeadscaleAndCloudflare: StoppableFake, Sendable {
    public let headscale: FakeHeadscale
    public let cloudflare: FakeCloudflare
    /// The Headscale user created at start: `HEADSCALE_USER`.
    public let user: String

    private init(headscale: FakeHeadscale, cloudflare: FakeCloudflare, user: String) {
        self.headscale = headscale
        self.cloudflare = cloudflare
        self.user = user
    }

    public static func start(
        version: FakeHeadscale.Version = .v0_28,
        apiKey: String = "hskey-api-FAKE0123456789",
        user: String,
        token: String = "cf-token-FAKE0123456789",
        zoneID: String = "023e105f4ecef8ad9ca31a8372d0c353",
        maxPerPage: Int = 5_000,
        batchLimit: Int = 200
    ) async throws -> HeadscaleAndCloudflare {
        let headscale = try await FakeHeadscale.start(version: version, apiKey: apiKey)
        let cloudflare: FakeCloudflare
        do {
            cloudflare = try await FakeCloudflare.start(token: token, zoneID: zoneID, maxPerPage: maxPerPage, batchLimit: batchLimit)
        } catch {
            await headscale.stop()
            throw error
        }
        headscale.addUser(user)
        return HeadscaleAndCloudflare(headscale: headscale, cloudflare: cloudflare, user: user)
    }

    public func stop() async {
        await headscale.stop()
        await cloudflare.stop()
    }

    /// `HEADSCALE_URL`, `HEADSCALE_API_KEY`, `HEADSCALE_USER`, `CLOUDFLARE_API_TOKEN`,
    /// `CLOUDFLARE_ZONE_ID` and `CLOUDFLARE_API_URL`, read off the fakes themselves.
    public var environment: [String: String] {
        [
            "HEADSCALE_URL": headscale.url,
            "HEADSCALE_API_KEY": headscale.apiKey,
            "HEADSCALE_USER": user,
            "CLOUDFLARE_API_TOKEN": cloudflare.token,
            "CLOUDFLARE_ZONE_ID": cloudflare.zoneID,
            "CLOUDFLARE_API_URL": cloudflare.url,
        ]
    }
}
