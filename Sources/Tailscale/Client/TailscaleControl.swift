/// Reads tailscaled's status. ``TailscaleCLI`` and ``TailscaleLocalAPI`` both provide it; the
/// health check prefers the LocalAPI (no process per pass).
///
/// ```swift
/// let source: any TailscaleStatusSource = TailscaleLocalAPI()
/// let state = try await source.status().backendState
/// ```
public protocol TailscaleStatusSource: Sendable {
    func status() async throws -> TailscaleStatus
}

/// Reads the status and brings the node up: what the join needs. ``TailscaleCLI`` implements it.
///
/// ```swift
/// let control: any TailscaleControl = TailscaleCLI()
/// try await control.up(options, redacting: [key])
/// ```
public protocol TailscaleControl: TailscaleStatusSource {
    func up(_ options: TailscaleUpOptions, redacting keys: [String]) async throws
}
