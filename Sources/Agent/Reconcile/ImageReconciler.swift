import CharonSupport
import Containerd
import Dispatch
import Logging
import OCI
import Synchronization

/// Keeps the lifecycle image built, imported, verified and pinned, and says how that went as the
/// `containerd` and `image` checks.
///
/// Every pass does the same few cheap things, so it recovers from anything without remembering
/// what went wrong: ask containerd its version; build (a fingerprint comparison when nothing
/// changed); `ensure` the image (one `ctr images ls` when it is in place, an import when it went
/// missing — kubelet GC, `ctr images rm`, a wiped containerd — or drifted; a pin when the label is
/// gone).
///
/// ```swift
/// let reconciler = ImageReconciler(spec: "images/tailscale-lifecycle", builderOptions: options,
///                                  containerd: ContainerdClient(), metrics: metrics)
/// let outcome = await reconciler.reconcileImage()
/// outcome.containerd.ok, outcome.image.details["digest"]
/// ```
public struct ImageReconciler: Sendable {
    public var spec: String
    public var builderOptions: ImageBuilder.Options
    public var containerd: ContainerdClient
    public var metrics: AgentMetrics
    public var logger: Logger
    /// A pass that finds the image in place proves containerd answers, so the separate
    /// `ctr version` probe (a Go process start: most of the idle agent's CPU) runs only on the
    /// first pass, after a failure, and every `versionProbeEvery` passes to refresh the version.
    public var versionProbeEvery: Int
    /// When set, builds run as `<buildExecutable> image build` in a child process
    /// (``ChildImageBuild``), so the daemon never maps the builder's code; `nil` builds in-process.
    public var buildExecutable: String?
    private let probe = VersionProbe()
    /// Skips the child build while nothing it checks changed (``ChildBuildMemo``).
    private let childMemo = ChildBuildMemo()
    /// Set while a build runs on its thread. A build can outlive the pass that started it (it waits
    /// for another process's lock, and the pass's deadline gives up on it); the next pass must not
    /// pile a second blocked thread on top.
    private let building = BuildInFlight()

    final class BuildInFlight: Sendable {
        private let running = Mutex(false)

        /// Claims the slot; `false` when a build is still running.
        func start() -> Bool {
            running.withLock { running in
                guard !running else { return false }
                running = true
                return true
            }
        }

        func finish() { running.withLock { $0 = false } }
    }

    /// The build from an earlier pass is still running.
    struct BuildStillRunning: Error, CustomStringConvertible {
        var output: String
        var description: String {
            "a build started by an earlier pass has not finished (another build holding \(output).lock?)"
        }
    }

    public init(
        spec: String,
        builderOptions: ImageBuilder.Options,
        containerd: ContainerdClient,
        metrics: AgentMetrics,
        versionProbeEvery: Int = 10,
        buildExecutable: String? = nil,
        logger: Logger = Logger(label: "charon.agent.image")
    ) {
        self.buildExecutable = buildExecutable
        self.spec = spec
        self.builderOptions = builderOptions
        self.containerd = containerd
        self.metrics = metrics
        self.versionProbeEvery = versionProbeEvery
        self.logger = logger
    }

    /// The containerd version last probed, and how many passes ago.
    final class VersionProbe: Sendable {
        private let state = Mutex<(version: String?, age: Int)>((nil, 0))

        /// The remembered version while it is fresh enough to skip probing.
        func fresh(limit: Int) -> String? {
            state.withLock { state in
                guard let version = state.version, state.age < limit else { return nil }
                state.age += 1
                return version
            }
        }

        func remember(_ version: String?) {
            state.withLock { $0 = (version, 0) }
        }
    }

    func probeContainerd() async -> HealthCheckResult {
        do {
            let version = try await containerd.serverVersion()
            probe.remember(version)
            return .ok("containerd \(version) at \(containerd.address)", reason: "ContainerdReachable")
        } catch {
            probe.remember(nil)
            return .failed("\(error)", reason: Self.containerdUnreachable)
        }
    }

    public struct Outcome: Sendable {
        public var containerd: HealthCheckResult
        public var image: HealthCheckResult
    }

    public func reconcileImage() async -> Outcome {
        var containerdResult: HealthCheckResult
        let trusted: Bool
        if let version = probe.fresh(limit: versionProbeEvery) {
            containerdResult = .ok("containerd \(version) at \(containerd.address)", reason: "ContainerdReachable")
            trusted = true
        } else {
            containerdResult = await probeContainerd()
            trusted = false
        }

        // The build is local: do it even while containerd is down, so the tarball is ready the
        // moment it comes back.
        let built: ImageBuilder.Result
        do {
            built = try await build()
        } catch {
            // No import to prove containerd answers: probe it, not to report a stale "reachable".
            if trusted { containerdResult = await probeContainerd() }
            return Outcome(containerd: containerdResult, image: .failed("building \(spec) failed: \(error)", reason: "ImageBuildFailed"))
        }
        let digest = built.manifestDigest.description
        let details = ["reference": built.reference, "digest": digest, "tarball": built.output]
        guard containerdResult.ok else {
            return Outcome(containerd: containerdResult, image: Self.unverifiable(built.reference, details: details))
        }

        do {
            let started = ContinuousClock.now
            // ImageImporter logs every pass at info; the agent logs only what changed.
            var quiet = logger
            quiet.logLevel = max(logger.logLevel, .warning)
            let ensured = try await ImageImporter(containerd: containerd, logger: quiet)
                .ensure(reference: built.reference, digest: digest, tarball: built.output)
            if ensured.imported {
                metrics.imageImported(duration: started.duration(to: .now), bytes: built.size)
                logger.notice("imported \(built.output) into containerd as \(built.reference) \(digest), pinned")
            } else if ensured.pinned {
                logger.notice("re-pinned \(built.reference) \(digest) (the pin label was gone)")
            }
            return Outcome(containerd: containerdResult, image: .ok("\(built.reference) \(digest) pinned", reason: "ImagePresent", details: details))
        } catch {
            // The probe was skipped on trust: find out whether containerd itself is the problem.
            if trusted {
                containerdResult = await probeContainerd()
                if !containerdResult.ok {
                    return Outcome(containerd: containerdResult, image: Self.unverifiable(built.reference, details: details))
                }
            }
            return Outcome(containerd: containerdResult, image: Self.imageFailure(error, details: details))
        }
    }

    /// The reason of the containerd check when containerd does not answer, and of the image check
    /// when that is why the image cannot be verified.
    static let containerdUnreachable = "ContainerdUnreachable"

    /// The image check while containerd is down: the tarball is built, its presence unknown.
    static func unverifiable(_ reference: String, details: [String: String]) -> HealthCheckResult {
        .failed("cannot verify \(reference) in containerd: containerd is unreachable", reason: containerdUnreachable, details: details)
    }

    static func imageFailure(_ error: any Error, details: [String: String]) -> HealthCheckResult {
        switch error {
        case let error as ContainerdError:
            let reason =
                switch error {
                case .digestMismatch: "ImageDigestMismatch"
                case .notFoundAfterImport: "ImageMissing"
                default: "ImageImportFailed"
                }
            return .failed("\(error)", reason: reason, details: details)
        default:
            return .failed("\(error)", reason: "ImageImportFailed", details: details)
        }
    }

    /// Runs the (blocking, CPU-bound) build, or the wait for the child that builds, on a Dispatch
    /// thread so it neither blocks the cooperative pool nor stops the loop from abandoning it at
    /// shutdown (an abandoned child finishes its build, which only renames a complete file).
    func build() async throws -> ImageBuilder.Result {
        let spec = spec
        let options = builderOptions
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let builderLogger = quiet
        let started = ContinuousClock.now
        let building = building
        let child = buildExecutable.map(ChildImageBuild.init(executable:))
        let memo = childMemo
        guard building.start() else { throw BuildStillRunning(output: options.output) }
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ImageBuilder.Result, any Error>) in
            DispatchQueue.global().async {
                let result = Result {
                    if let child {
                        if let unchanged = memo.reusable() { return unchanged }
                        let before = memo.stampsBeforeRun()
                        do {
                            let (result, checkedPaths) = try child.runReportingPaths(spec: spec, options: options)
                            memo.remember(result, checkedPaths: checkedPaths, before: before)
                            return result
                        } catch {
                            memo.forget()
                            throw error
                        }
                    }
                    return try ImageBuilder(options: options, logger: builderLogger).build(try ImageSpec.load(from: spec))
                }
                building.finish()
                continuation.resume(with: result)
            }
        }
        let duration = started.duration(to: .now)
        metrics.imageBuilt(
            outcome: result.outcome.rawValue,
            duration: duration,
            size: result.size,
            writtenBytes: result.outcome == .written ? result.size : 0
        )
        if result.outcome == .written {
            logger.notice("built \(result.output): \(result.reference) \(result.manifestDigest), \(result.size) bytes in \(duration)")
        }
        return result
    }
}

/// The agent's first reconciler: it fills the `containerd` and `image` slots, and a failure in
/// either makes the node unhealthy (without the image, no service pod on it can start).
extension ImageReconciler: NodeReconciler {
    public var checkNames: [String] { [HealthCheckName.containerd, HealthCheckName.image] }

    public func impact(of checkName: String) -> HealthImpact { .unhealthy }

    public func reconcile() async -> [String: HealthCheckResult] {
        let outcome = await reconcileImage()
        return [HealthCheckName.containerd: outcome.containerd, HealthCheckName.image: outcome.image]
    }

    public func timedOut(after timeout: Duration) -> [String: HealthCheckResult] {
        [
            HealthCheckName.containerd: .failed("containerd did not answer within \(timeout)", reason: "ContainerdTimeout"),
            HealthCheckName.image: .failed("reconciling the image did not finish within \(timeout)", reason: "ImageReconcileTimeout"),
        ]
    }
}
