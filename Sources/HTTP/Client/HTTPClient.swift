import CCurl
import CharonSupport
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// An async HTTP client on libcurl: timeouts, TLS verified against the system CA bundle (or a
/// given one), unix sockets, and retries with exponential backoff and jitter, bounded by a deadline.
///
/// Each attempt runs `curl_easy_perform` on its own thread; handles are pooled so connections are
/// kept alive between requests. Cancelling the calling task aborts the transfer.
///
/// ```swift
/// let client = HTTPClient(configuration: .init(requestTimeout: .seconds(10)))
/// var request = HTTPRequest(.get, "https://api.cloudflare.com/client/v4/zones/\(zone)/dns_records")
/// request.headers["Authorization"] = "Bearer \(token)"
/// let response = try await client.send(request)
/// ```
public final class HTTPClient: Sendable {
    /// Timeouts, TLS and retry settings shared by every request of a client.
    public struct Configuration: Sendable {
        /// Limit for establishing the connection (TCP + TLS).
        public var connectTimeout: Duration
        /// Limit for one attempt, from start to last byte.
        public var requestTimeout: Duration
        /// Limit for all attempts of one `send`, backoff waits included.
        public var retryDeadline: Duration
        /// Attempts per `send`, the first included.
        public var maxAttempts: Int
        /// Backoff before the first retry; doubles with each retry, up to ``maxBackoff``.
        public var initialBackoff: Duration
        public var maxBackoff: Duration
        /// PEM CA bundle to verify servers with; nil uses `SSL_CERT_FILE` if set, else libcurl's
        /// built-in system bundle.
        public var caFile: String?
        /// Send every request over this unix socket (the URL's host is then only the Host header).
        public var unixSocketPath: String?
        public var userAgent: String
        /// Cap on a response body, counted after decompression; a request may set its own
        /// (``HTTPRequest/maxResponseBytes``). A larger body ends the transfer at once with
        /// ``HTTPError/Kind/responseTooLarge(limit:)``, so a broken or hostile server (an endless
        /// body, a gzip bomb) cannot make the process hold more than this.
        public var maxResponseBytes: Int

        /// 4 MiB: far above any single object charon reads, far below the 64 MiB a lifecycle
        /// container may use.
        public static let defaultMaxResponseBytes = 4 << 20

        public init(
            connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(30),
            retryDeadline: Duration = .seconds(90),
            maxAttempts: Int = 6,
            initialBackoff: Duration = .milliseconds(250),
            maxBackoff: Duration = .seconds(15),
            caFile: String? = nil,
            unixSocketPath: String? = nil,
            userAgent: String = "charon-http",
            maxResponseBytes: Int = Configuration.defaultMaxResponseBytes
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retryDeadline = retryDeadline
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.caFile = caFile ?? Self.environmentCAFile
            self.unixSocketPath = unixSocketPath
            self.userAgent = userAgent
            self.maxResponseBytes = maxResponseBytes
        }

        /// `SSL_CERT_FILE`, which base-less images set to their bundle.
        static var environmentCAFile: String? {
            guard let raw = getenv("SSL_CERT_FILE") else { return nil }
            let path = String(cString: raw)
            return path.isEmpty ? nil : path
        }
    }

    public let configuration: Configuration
    /// Measures the retry deadline and sleeps the backoff (libcurl's own timeouts use real time).
    public let clock: any CharonClock
    let logger: Logger
    let handles = CurlHandlePool()

    public init(configuration: Configuration = Configuration(), clock: any CharonClock = RealClock(), logger: Logger = Logger(label: "charon.http")) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Sends `request`, retrying per its ``RetryPolicy``. Returns the final response whatever its
    /// status (after retries of 429 and 5xx ran out); throws ``HTTPError`` when none came.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let deadline = clock.now + configuration.retryDeadline
        let maxAttempts = max(1, request.retryPolicy.enabled ? (request.retryPolicy.maxAttempts ?? configuration.maxAttempts) : 1)
        let label = "\(request.method.rawValue) \(request.urlForLogging)"
        let limit = max(0, request.maxResponseBytes ?? configuration.maxResponseBytes)
        // Headers only ever reach a log redacted: the Authorization value is a credential.
        logger.trace("\(label) headers: \(request.headers.redactedDescription)")
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled {
                throw HTTPError(kind: .cancelled, request: label, reason: "cancelled", attempts: attempt - 1)
            }
            let remaining = deadline - clock.now
            let timeout = min(request.timeout ?? configuration.requestTimeout, max(remaining, .milliseconds(100)))
            // Log lines show how long the attempt really took, whatever clock drives the retries.
            let started = ContinuousClock.now
            let outcome = await attemptOnce(request, timeout: timeout)
            let elapsed = started.duration(to: .now)

            let retry: (delay: Duration, reason: String)?
            switch outcome {
            case .response(let response):
                logger.debug("\(label) -> \(response.status) in \(Self.milliseconds(elapsed)) ms")
                retry = retryDecision(for: response, policy: request.retryPolicy, attempt: attempt)
                guard let retry, attempt < maxAttempts, clock.now + retry.delay < deadline else { return response }
                logger.warning("\(label): \(retry.reason); retry \(attempt) of \(maxAttempts - 1) in \(Self.milliseconds(retry.delay)) ms")
            case .failure(let code, let reason, let sent):
                var error = HTTPError(kind: .transport(code: code), request: label, reason: reason, attempts: attempt, mayHaveBeenSent: sent)
                if Task.isCancelled || code == Int32(CURLE_ABORTED_BY_CALLBACK.rawValue) {
                    error.kind = .cancelled
                    error.reason = "cancelled"
                    throw error
                }
                logger.debug("\(label) failed in \(Self.milliseconds(elapsed)) ms: \(reason)")
                let policy = request.retryPolicy
                guard error.isTransient, policy.enabled, policy.retriesAfterSend || !sent else { throw error }
                let delay = backoff(afterAttempt: attempt)
                guard attempt < maxAttempts, clock.now + delay < deadline else { throw error }
                logger.warning("\(label): \(reason); retry \(attempt) of \(maxAttempts - 1) in \(Self.milliseconds(delay)) ms")
                retry = (delay, reason)
            case .tooLarge(let announced):
                // Not transient: the same server would send the same body again.
                throw HTTPError(
                    kind: .responseTooLarge(limit: limit),
                    request: label,
                    reason: Self.tooLargeReason(limit: limit, announced: announced),
                    attempts: attempt,
                    mayHaveBeenSent: true
                )
            }
            do {
                try await clock.sleep(for: retry!.delay)
            } catch {
                throw HTTPError(kind: .cancelled, request: label, reason: "cancelled", attempts: attempt)
            }
        }
    }

    /// One attempt on a pooled handle, on its own thread; task cancellation aborts it.
    private func attemptOnce(_ request: HTTPRequest, timeout: Duration) async -> CurlTransfer.Outcome {
        let options = CurlTransfer.Options(
            connectTimeout: min(configuration.connectTimeout, timeout),
            timeout: timeout,
            caFile: configuration.caFile,
            unixSocketPath: configuration.unixSocketPath,
            userAgent: configuration.userAgent,
            maxResponseBytes: max(0, request.maxResponseBytes ?? configuration.maxResponseBytes)
        )
        let transfer = CurlTransfer(request: request, options: options)
        let handles = self.handles
        return await withTaskCancellationHandler {
            await BlockingThread.run {
                guard let handle = handles.take() else {
                    return .failure(code: Int32(CURLE_FAILED_INIT.rawValue), reason: "libcurl could not create a handle", sent: false)
                }
                defer { handles.give(handle) }
                return transfer.perform(on: handle)
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    /// Whether a response is worth another attempt, and after how long.
    func retryDecision(for response: HTTPResponse, policy: RetryPolicy, attempt: Int) -> (delay: Duration, reason: String)? {
        guard policy.enabled else { return nil }
        let status = response.status
        let transient: Bool
        if status == 429 {
            transient = true  // rate limited: the request was not processed
        } else if status >= 500 && status != 501 && status != 505 {
            transient = policy.retriesAfterSend
        } else {
            transient = false
        }
        guard transient, policy.isPermanent?(response) != true else { return nil }
        let delay = RetryAfter.delay(from: response.headers["Retry-After"]) ?? backoff(afterAttempt: attempt)
        return (delay, "HTTP \(status)")
    }

    /// Exponential backoff with jitter: a random wait in [½, 1] × min(max, initial × 2^(attempt-1)),
    /// so a fleet of clients failing together does not retry in lockstep.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let base = Self.seconds(configuration.initialBackoff) * Double(1 << min(attempt - 1, 20))
        let capped = min(base, Self.seconds(configuration.maxBackoff))
        return .milliseconds(Int(capped * Double.random(in: 0.5...1.0) * 1000))
    }

    /// `response body over the 4 MiB limit (Content-Length 8589934592); refused before reading`.
    static func tooLargeReason(limit: Int, announced: Int?) -> String {
        let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit)-byte"
        guard let announced else { return "response body over the \(size) limit; transfer stopped" }
        return "response body over the \(size) limit (Content-Length \(announced)); refused before reading"
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(seconds(duration) * 1000)
    }
}
