import CharonSupport

/// Why a join did not run or was refused before anything was deleted or minted.
///
/// ```swift
/// do { _ = try await join.reconcile() } catch let error as TailnetJoinError { print(error.reason) }
/// ```
public enum TailnetJoinError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Earlier joins failed `failures` times in a row; the next may run in `retryIn`.
    case backingOff(failures: Int, retryIn: Duration, lastError: String)
    /// A registration with this node's ingress name is online: another machine holds it (the
    /// seed's controller, or the same node name in another cluster). It is never deleted.
    case registrationHeldElsewhere(name: String, id: String, addresses: [String])

    /// The condition reason `/status` and the Node condition show.
    public var reason: String {
        switch self {
        case .backingOff: "TailnetJoinBackingOff"
        case .registrationHeldElsewhere: "TailnetNameHeldElsewhere"
        }
    }

    public var description: String {
        switch self {
        case .backingOff(let failures, let retryIn, let lastError):
            "\(failures) join attempt(s) failed in a row, next in \(Self.seconds(retryIn)); last: \(lastError)"
        case .registrationHeldElsewhere(let name, let id, let addresses):
            "Headscale node \(name) (id \(id), \(addresses.isEmpty ? "no addresses" : addresses.joined(separator: " "))) is online on "
                + "another machine; it is not deleted. Hand the name over (docs/operations.md, \"Hand-over\"): log that machine out or "
                + "delete the node in Headscale once nothing uses it"
        }
    }

    static func seconds(_ duration: Duration) -> String {
        "\(Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded(.up))) s"
    }
}
