/// One check of the node's health: the agent runs it on every reconcile pass and shows the result
/// in `/status`, `/metrics`, a Node condition (Kubernetes) and the systemd `STATUS=` line.
///
/// It lives in `CharonSupport` rather than in `Agent` so that modules the agent depends on (the
/// internal ingress fills the `tailscale` and `ingress` slots) can provide checks without a cycle.
///
/// A check must be cheap enough to run once per pass (the agent's interval is 60 s) and must not
/// throw: a failure is a result with `ok == false` and a message saying what is wrong. The agent
/// bounds every run with a timeout, so a hung check shows up as failed rather than stalling the loop.
/// Messages are shown to operators and written into Node objects: never put secrets in them.
///
/// ```swift
/// struct TailscaleCheck: HealthCheck {
///     let name = HealthCheckName.tailscale
///     func run() async -> HealthCheckResult {
///         let state = await tailscale.backendState()
///         return state == "Running"
///             ? .ok("joined as nginx-ingress-node1 (100.64.0.7)")
///             : .failed("tailscaled is \(state)", reason: "TailscaleNotRunning")
///     }
/// }
/// let agent = Agent(configuration: configuration, checks: [TailscaleCheck()])
/// ```
public protocol HealthCheck: Sendable {
    /// Stable lowercase name: the key in `/status`, the `check` label in `/metrics`, the suffix of
    /// the Node condition type. Use ``HealthCheckName`` for the well-known slots.
    var name: String { get }

    /// What a failure of this check means for the node as a whole.
    var impact: HealthImpact { get }

    /// Runs the check once and says how it went.
    func run() async -> HealthCheckResult
}

extension HealthCheck {
    /// Most checks only degrade the node; the ones that make it useless say `.unhealthy`.
    public var impact: HealthImpact { .degraded }
}
