import CharonSupport
import Kubernetes
import Synchronization

/// Flags an API server older than 1.30. The install narrows the agent's `nodes/status` rights with
/// a ValidatingAdmissionPolicy (its own Charon* conditions and nothing else); below 1.30 that API
/// is not served, the policy is not enforced, and RBAC alone lets a stolen agent token patch any
/// Node's status. The agent keeps working (its image job does not depend on it), but says so in
/// `/status` and the `CharonKubernetesProblem` condition.
///
/// The version is asked once, then again every `recheck` (an upgrade is rare; a thousand agents
/// asking every pass would not be).
///
/// ```swift
/// let check = KubernetesVersionCheck(client: KubernetesClient(configuration: configuration))
/// await check.run().message  // "Kubernetes v1.31.2: the admission policy is enforced"
/// ```
public final class KubernetesVersionCheck: HealthCheck {
    public static let checkName = "kubernetes"
    /// The first release serving `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy.
    public static let minimum = (major: 1, minor: 30)

    public let name = KubernetesVersionCheck.checkName
    let client: KubernetesClient
    let recheck: Duration
    let clock: any CharonClock
    private let last = Mutex<(result: HealthCheckResult, at: ContinuousClock.Instant)?>(nil)

    public init(client: KubernetesClient, recheck: Duration = .seconds(3600), clock: any CharonClock = RealClock()) {
        self.client = client
        self.recheck = recheck
        self.clock = clock
    }

    public func run() async -> HealthCheckResult {
        let now = clock.now
        if let (result, at) = last.withLock({ $0 }), at.duration(to: now) < recheck { return result }
        let result: HealthCheckResult
        do {
            result = Self.judge(try await ServerVersion.fetch(from: client))
        } catch {
            // Not remembered: the next pass asks again.
            return .failed("cannot read the API server's version: \(error)", reason: "KubernetesVersionUnknown")
        }
        last.withLock { $0 = (result, now) }
        return result
    }

    public static func judge(_ version: ServerVersion) -> HealthCheckResult {
        let details = ["gitVersion": version.gitVersion]
        if version.isAtLeast(major: minimum.major, minor: minimum.minor) {
            return .ok("Kubernetes \(version.gitVersion): the admission policy is enforced", reason: "KubernetesSupported", details: details)
        }
        return .failed(
            "Kubernetes \(version.gitVersion) is older than \(minimum.major).\(minimum.minor): the admission policy that limits this agent "
                + "to its own Charon* conditions is not enforced, and RBAC alone lets its token patch any Node's status; upgrade the cluster",
            reason: "KubernetesTooOld",
            details: details
        )
    }
}
