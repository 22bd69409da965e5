import ArgumentParser
import CharonSupport

/// `charon-lifecycle`: entrypoint of the tailscale-lifecycle image.
@main
struct CharonLifecycle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charon-lifecycle",
        abstract: "Headscale and Cloudflare housekeeping for a service pod's Tailscale sidecar.",
        discussion: """
            Runs as the init container `lifecycle-cleanup` (cleanup) and the sidecar
            `lifecycle-dns-create` (dns-create) of a service pod. Configured by environment variables.
            """,
        version: CharonVersion.current
    )
}
