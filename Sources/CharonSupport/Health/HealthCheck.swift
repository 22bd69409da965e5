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

/// The names of the checks `/status` always lists, in this order. `tailscale` and `ingress` are
/// slots: until a module provides a check with that name they read "not configured".
public enum HealthCheckName {
    public static let containerd = "containerd"
    public static let image = "image"
    public static let disk = "disk"
    public static let tailscale = "tailscale"
    public static let ingress = "ingress"

    public static let all = [containerd, image, disk, tailscale, ingress]
}

/// How much a failed check hurts: the node's overall state is the worst impact among failed checks.
public enum HealthImpact: String, Sendable, Comparable {
    /// The node keeps working in a reduced way (little disk left, ingress down).
    case degraded
    /// The node cannot do its job (containerd unreachable, lifecycle image missing).
    case unhealthy

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .degraded && rhs == .unhealthy }
}

/// The outcome of one run of a ``HealthCheck``.
///
/// ```swift
/// return .ok("412 MiB free in /var/lib", details: ["freeBytes": "432013312"])
/// ```
public struct HealthCheckResult: Sendable, Equatable {
    public var ok: Bool
    /// One line for people: what was found, or what is wrong and where.
    public var message: String
    /// A CamelCase word for machines (the Node condition's `reason`), e.g. `ContainerdUnreachable`.
    public var reason: String
    /// Extra fields shown beside the entry in `/status` (the image check puts `digest` here).
    public var details: [String: String]

    public init(ok: Bool, message: String, reason: String? = nil, details: [String: String] = [:]) {
        self.ok = ok
        self.message = message
        self.reason = reason ?? (ok ? "CheckPassed" : "CheckFailed")
        self.details = details
    }

    public static func ok(_ message: String, reason: String? = nil, details: [String: String] = [:]) -> Self {
        Self(ok: true, message: message, reason: reason, details: details)
    }

    public static func failed(_ message: String, reason: String? = nil, details: [String: String] = [:]) -> Self {
        Self(ok: false, message: message, reason: reason, details: details)
    }
}
