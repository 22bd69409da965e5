/// What one step of `charon-node uninstall` found and did, said in one line.
///
/// A second run of the uninstall finds every step `alreadyDone` (or `skipped`): that is how a
/// no-op shows.
///
/// ```swift
/// let outcome = UninstallOutcome.done("removed table inet charon_ingress")
/// print("firewall: \(outcome)")   // firewall: removed table inet charon_ingress
/// ```
public enum UninstallOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Something of charon's was there and is gone now (removed, unpinned, logged out): what.
    case done(String)
    /// Nothing of charon's was left to undo: what was looked for.
    case alreadyDone(String)
    /// The step does not apply here (its settings are absent, not in a cluster): why.
    case skipped(String)

    /// Whether the step changed anything.
    public var changed: Bool {
        if case .done = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .done(let text): text
        case .alreadyDone(let text): "already done: \(text)"
        case .skipped(let why): "skipped: \(why)"
        }
    }
}
