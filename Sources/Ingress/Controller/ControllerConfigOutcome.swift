/// What a controller reconcile found and did.
///
/// ```swift
/// switch try await adapter.reconcile() {
/// case .unchanged: print("\(adapter.target): as desired")
/// case .patched(let keys): print("\(adapter.target): set \(keys.joined(separator: ", "))")
/// case .created: print("\(adapter.target): created")
/// }
/// ```
public enum ControllerConfigOutcome: Sendable, Equatable {
    /// Already as desired; nothing was written.
    case unchanged
    /// These keys were written.
    case patched(keys: [String])
    /// The object was missing and has been created as desired.
    case created
}
