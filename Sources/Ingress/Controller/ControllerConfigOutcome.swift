/// What a controller reconcile found and did.
public enum ControllerConfigOutcome: Sendable, Equatable {
    /// Already as desired; nothing was written.
    case unchanged
    /// These keys were written.
    case patched(keys: [String])
    /// The object was missing and has been created as desired.
    case created
}
