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
