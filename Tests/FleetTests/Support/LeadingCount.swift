import Synchronization

/// Who is running its leader's work right now, shared with the electors' closures.
final class LeadingCount: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func change(_ identity: String, by delta: Int) {
        counts.withLock { $0[identity, default: 0] += delta }
    }

    /// Identities whose work is running.
    var active: [String] { counts.withLock { $0.filter { $0.value > 0 }.map(\.key) } }
}
