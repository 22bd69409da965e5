/// Told about the health model after every pass: the Kubernetes Node condition reporter and the
/// systemd notifier are observers.
///
/// ```swift
/// struct LogObserver: HealthObserver {
///     func healthDidUpdate(_ snapshot: HealthSnapshot, changed: Set<String>) async {
///         if !changed.isEmpty { print(snapshot.summary) }
///     }
/// }
/// ```
public protocol HealthObserver: Sendable {
    /// - Parameter changed: names of the checks whose state (`ok` or `reason`) changed this pass.
    func healthDidUpdate(_ snapshot: HealthSnapshot, changed: Set<String>) async
}
