import CCurl
import Synchronization

/// Reuses easy handles so their connection caches keep connections alive between requests to the
/// same server (a page of DNS records after another, a delete after a list).
///
/// ```swift
/// let handle = pool.take()
/// defer { pool.give(handle) }
/// ```
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlHandle]>([])
    private let limit: Int

    init(limit: Int = 4) {
        self.limit = limit
    }

    func take() -> CurlHandle? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        guard CurlGlobal.initialized, let raw = curl_easy_init() else { return nil }
        return CurlHandle(raw: raw)
    }

    func give(_ handle: CurlHandle) {
        let kept = idle.withLock { handles -> Bool in
            guard handles.count < limit else { return false }
            handles.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle.raw) }
    }

    deinit {
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(handle.raw) }
    }
}
