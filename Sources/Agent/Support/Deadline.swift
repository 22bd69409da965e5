import Synchronization

/// Resumes a continuation exactly once, whichever of several racing tasks gets there first.
final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    /// Returns whether this call was the one that resumed.
    @discardableResult
    func resume(_ value: Value) -> Bool {
        guard let continuation = continuation.withLock({ $0.take() }) else { return false }
        continuation.resume(returning: value)
        return true
    }
}

/// Waits for `operation` at most `limit`. On time-out it returns `nil` at once and cancels the
/// operation, which may keep running until it notices: the caller is never held hostage by a
/// check or a `ctr` that hangs.
///
/// ```swift
/// let result = await withDeadline(.seconds(30)) { await check.run() } ?? .failed("timed out")
/// ```
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let work = Task { await operation() }
    return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let once = ResumeOnce(continuation)
        let timer = Task {
            try? await Task.sleep(for: limit)
            guard !Task.isCancelled else { return }
            if once.resume(nil) { work.cancel() }
        }
        Task {
            let value = await work.value
            if once.resume(value) { timer.cancel() }
        }
    }
}
