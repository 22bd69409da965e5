/// Reads the status and brings the node up: what the join needs. ``TailscaleCLI`` implements it.
///
/// ```swift
/// let control: any TailscaleControl = TailscaleCLI()
/// try await control.up(options, redacting: [key])
/// ```
public protocol TailscaleControl: TailscaleStatusSource {
    func up(_ options: TailscaleUpOptions, redacting keys: [String]) async throws
}
