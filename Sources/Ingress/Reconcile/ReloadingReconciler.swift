import CharonSupport
import Logging
import Synchronization

/// A reconciler made afresh every pass from the settings as they are then, so that files the
/// settings point at (the credentials Secret's `HEADSCALE_API_KEY_FILE`,
/// `CLOUDFLARE_API_TOKEN_FILE`) are read again each pass: a Secret created after the install, or
/// rotated, takes effect at the next pass without a restart. Settings that are refused make a
/// stand-in (``IngressMisconfiguration``) for that pass; the problem is logged once, not every
/// pass, and its end is logged too.
///
/// State that must outlive one pass (the join's ``JoinBackoff``) is created once by the caller and
/// captured by `make`.
///
/// ```swift
/// let backoff = JoinBackoff()
/// let reconciler = ReloadingReconciler(checkNames: [HealthCheckName.tailscale, HealthCheckName.ingress]) {
///     try IngressSetup.reconciler(environment: ProcessEnvironment.current, backoff: backoff)
/// }
/// ```
public struct ReloadingReconciler: NodeReconciler {
    public let checkNames: [String]
    let make: @Sendable () throws -> any NodeReconciler
    let refused: @Sendable (any Error) -> any NodeReconciler
    let logger: Logger
    private let problem = ProblemMemo()

    public init(
        checkNames: [String],
        logger: Logger = Logger(label: "charon.ingress"),
        refused: @escaping @Sendable (any Error) -> any NodeReconciler = { IngressMisconfiguration(problem: "\($0)") },
        make: @escaping @Sendable () throws -> any NodeReconciler
    ) {
        self.checkNames = checkNames
        self.logger = logger
        self.refused = refused
        self.make = make
    }

    public func reconcile() async -> [String: HealthCheckResult] {
        let reconciler: any NodeReconciler
        do {
            reconciler = try make()
            if let old = problem.replace(with: nil) { logger.notice("ingress settings accepted (were refused: \(old))") }
        } catch {
            let text = "\(error)"
            if problem.replace(with: text) != text { logger.error("internal ingress settings refused: \(text); the image keeps being reconciled") }
            reconciler = refused(error)
        }
        return await reconciler.reconcile()
    }
}

/// The last refusal, so a problem is logged when it starts and when it ends, not every pass.
private final class ProblemMemo: Sendable {
    private let value = Mutex<String?>(nil)

    /// Stores `new` and returns what was there.
    func replace(with new: String?) -> String? {
        value.withLock { value in
            let old = value
            value = new
            return old
        }
    }
}
