/// The controller-specific part of the internal ingress, kept behind one small protocol:
/// ``IngressNginxAdapter`` for clusters that run ingress-nginx (retired upstream in March 2026),
/// ``TraefikAdapter`` for new clusters (an `ipAllowList` middleware on the entry points).
///
/// The policy every adapter enforces: only ``TailnetRanges/allowlist`` may connect, and the
/// client address is the TCP peer's, never a header a client can forge.
///
/// ```swift
/// let adapter: any IngressControllerAdapter = IngressNginxAdapter(client: kubernetes)
/// let outcome = try await adapter.reconcile()
/// ```
public protocol IngressControllerAdapter: Sendable {
    /// For messages: `ingress-nginx ConfigMap ingress-nginx/ingress-nginx-controller`.
    var target: String { get }
    /// Reads the controller's configuration and changes it only where it differs.
    func reconcile() async throws -> ControllerConfigOutcome
}
