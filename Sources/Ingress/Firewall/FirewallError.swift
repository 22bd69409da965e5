/// Why the firewall could not be planned, applied, read or removed.
///
/// ```swift
/// throw FirewallError.commandFailed("nft -f: Error: Could not process rule")
/// ```
public enum FirewallError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A name or port that cannot go into a rule.
    case invalidPolicy(String)
    /// `nft` failed; the text is its last error line.
    case commandFailed(String)
    /// `nft -j` printed something that is not the JSON listing it documents.
    case unreadableListing(String)

    public var description: String {
        switch self {
        case .invalidPolicy(let reason): "firewall policy: \(reason)"
        case .commandFailed(let reason): "nftables: \(reason)"
        case .unreadableListing(let reason): "nftables listing: \(reason)"
        }
    }
}
