import Synchronization

/// Faults a fake injects into the next matching requests: an error status, a 429 with
/// `Retry-After`, a slow answer, malformed JSON.
///
/// ```swift
/// headscale.faults.inject(.status(503), times: 2)                  // the next two requests fail
/// cloudflare.faults.inject(.rateLimited(retryAfter: 1), on: "POST") // the next POST gets a 429
/// ```
public final class FakeFaults: Sendable {
    public enum Fault: Sendable {
        /// This status with a plain body.
        case status(Int)
        /// 429 with `Retry-After: <seconds>`.
        case rateLimited(retryAfter: Int)
        /// The normal answer, after this delay.
        case slow(Duration)
        /// A 200 whose body is cut-off JSON.
        case malformedJSON
        /// A fixed answer.
        case response(FakeResponse)
    }

    private struct Entry {
        var fault: Fault
        var method: String?
        var pathPrefix: String?
        var remaining: Int
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// Applies `fault` to the next `times` requests matching `method` and `pathPrefix` (nil: any).
    public func inject(_ fault: Fault, times: Int = 1, on method: String? = nil, pathPrefix: String? = nil) {
        entries.withLock { $0.append(Entry(fault: fault, method: method, pathPrefix: pathPrefix, remaining: times)) }
    }

    public func clear() { entries.withLock { $0.removeAll() } }

    /// The fault for this request, if one is pending (and counts it down).
    func take(for request: FakeRequest) -> Fault? {
        entries.withLock { entries in
            guard
                let index = entries.firstIndex(where: { entry in
                    (entry.method == nil || entry.method == request.method) && (entry.pathPrefix.map { request.path.hasPrefix($0) } ?? true)
                })
            else { return nil }
            let fault = entries[index].fault
            entries[index].remaining -= 1
            if entries[index].remaining <= 0 { entries.remove(at: index) }
            return fault
        }
    }

    /// Runs `normal` unless a fault is pending for the request.
    func answer(_ request: FakeRequest, errorBody: (Int) -> FakeResponse, normal: () -> FakeResponse) -> FakeResponse {
        guard let fault = take(for: request) else { return normal() }
        switch fault {
        case .status(let status): return errorBody(status)
        case .rateLimited(let seconds):
            var response = errorBody(429)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        case .slow(let delay):
            var response = normal()
            response.delay = delay
            return response
        case .malformedJSON: return .json(200, #"{"nodes": [{"id": "1", "name": "#)
        case .response(let response): return response
        }
    }
}
