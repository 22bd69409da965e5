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
