import CharonSupport

/// Stands in a slot (tailscale, ingress) that nothing on this node fills, so `/status` still lists
/// it, as passing and "not configured", and it is not reported as a Node condition.
///
/// ```swift
/// NotConfiguredCheck(name: HealthCheckName.ingress)
/// ```
struct NotConfiguredCheck: HealthCheck {
    let name: String

    func run() async -> HealthCheckResult {
        .ok("not configured on this node", reason: "NotConfigured")
    }
}
