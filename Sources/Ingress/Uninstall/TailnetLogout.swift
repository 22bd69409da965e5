import CharonSupport
import Tailscale

/// Logs this node's tailscaled out of the tailnet (`tailscale logout`), but only when it is
/// charon's: logged in as the node's ``IngressHostname``. A tailscaled that does not answer, is
/// already logged out, or is logged in under another name (an operator's own) is left alone.
///
/// ```swift
/// let outcome = try await TailnetLogout(tailscale: TailscaleCLI(), hostname: try IngressHostname(nodeName: "node1")).run()
/// print("tailscale: \(outcome)")   // tailscale: logged out nginx-ingress-node1 (was Running)
/// ```
public struct TailnetLogout: Sendable {
    public var tailscale: TailscaleCLI
    public var hostname: IngressHostname

    public init(tailscale: TailscaleCLI, hostname: IngressHostname) {
        self.tailscale = tailscale
        self.hostname = hostname
    }

    public func run() async throws -> UninstallOutcome {
        let before: TailscaleStatus
        do {
            before = try await tailscale.status()
        } catch {
            return .alreadyDone("tailscaled does not answer (\(error)): nothing to log out")
        }
        if let loggedOut = Self.loggedOut(before) { return .alreadyDone(loggedOut) }
        if let name = before.node?.hostName, !name.isEmpty, name.lowercased() != hostname.value {
            return .skipped("tailscaled is logged in as \(name), not \(hostname): not charon's, left alone")
        }
        try await tailscale.logout()
        let after = try await tailscale.status()
        guard Self.loggedOut(after) != nil else {
            throw TailscaleError.commandFailed("tailscale logout returned but tailscaled is \(after.backendState) (\(after.healthSummary))")
        }
        return .done("logged out \(hostname) (was \(before.backendState))")
    }

    /// A description when the status shows no login (no node key), else nil.
    static func loggedOut(_ status: TailscaleStatus) -> String? {
        switch status.backendState {
        case .noState: return "tailscaled has never logged in (NoState)"
        case .needsLogin where status.haveNodeKey != true: return "tailscaled is logged out (NeedsLogin)"
        default: return nil
        }
    }
}
