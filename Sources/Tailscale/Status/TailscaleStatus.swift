#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of `tailscale status --json` (and LocalAPI `/localapi/v0/status`) that decide whether
/// a node is on the tailnet. Unknown fields are ignored; absent ones are nil, since tailscaled
/// omits many of them outside the `Running` state.
///
/// ```swift
/// let status = try TailscaleStatus.decode(Array(json.utf8))
/// if status.backendState == .running, let ip = status.ipv4Address { print(ip) }
/// ```
public struct TailscaleStatus: Sendable, Equatable, Decodable {
    /// tailscaled's state machine (`ipn.State`). Only `running` means the node is on the tailnet:
    /// in the others the CLI can still list addresses while the interface has none.
    public enum BackendState: Sendable, Equatable, Decodable, CustomStringConvertible {
        case noState, needsLogin, needsMachineAuth, stopped, starting, running
        /// A state this code does not know (a newer tailscaled).
        case other(String)

        public init(from decoder: any Decoder) throws {
            self = Self(try decoder.singleValueContainer().decode(String.self))
        }

        public init(_ text: String) {
            self =
                switch text {
                case "NoState": .noState
                case "NeedsLogin": .needsLogin
                case "NeedsMachineAuth": .needsMachineAuth
                case "Stopped": .stopped
                case "Starting": .starting
                case "Running": .running
                default: .other(text)
                }
        }

        public var description: String {
            switch self {
            case .noState: "NoState"
            case .needsLogin: "NeedsLogin"
            case .needsMachineAuth: "NeedsMachineAuth"
            case .stopped: "Stopped"
            case .starting: "Starting"
            case .running: "Running"
            case .other(let text): text
            }
        }
    }

    /// This node as the coordination server sees it (`Self` in the JSON).
    public struct Node: Sendable, Equatable, Decodable {
        public var id: String?
        public var hostName: String?
        public var dnsName: String?
        public var tailscaleIPs: [String]?
        public var online: Bool?
        /// When the node key expires (RFC 3339); absent when expiry is disabled.
        public var keyExpiry: String?
        /// Set by tailscaled once the key has expired.
        public var expired: Bool?

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case hostName = "HostName"
            case dnsName = "DNSName"
            case tailscaleIPs = "TailscaleIPs"
            case online = "Online"
            case keyExpiry = "KeyExpiry"
            case expired = "Expired"
        }

        /// ``keyExpiry`` as seconds since 1970, nil if absent or unreadable.
        public var keyExpirySeconds: Int64? { keyExpiry.flatMap(TailscaleTimestamp.seconds(from:)) }
    }

    public var version: String?
    public var backendState: BackendState
    public var haveNodeKey: Bool?
    /// A login URL when interactive login is pending (never with an auth key).
    public var authURL: String?
    public var tailscaleIPs: [String]?
    public var node: Node?
    /// tailscaled's health warnings, e.g. "You are logged out." or a login server error.
    public var health: [String]?

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case backendState = "BackendState"
        case haveNodeKey = "HaveNodeKey"
        case authURL = "AuthURL"
        case tailscaleIPs = "TailscaleIPs"
        case node = "Self"
        case health = "Health"
    }

    public init(
        backendState: BackendState,
        tailscaleIPs: [String]? = nil,
        node: Node? = nil,
        health: [String]? = nil,
        haveNodeKey: Bool? = nil,
        version: String? = nil,
        authURL: String? = nil
    ) {
        self.backendState = backendState
        self.tailscaleIPs = tailscaleIPs
        self.node = node
        self.health = health
        self.haveNodeKey = haveNodeKey
        self.version = version
        self.authURL = authURL
    }

    public static func decode(_ bytes: [UInt8]) throws -> TailscaleStatus {
        do {
            return try JSONDecoder().decode(TailscaleStatus.self, from: Data(bytes))
        } catch {
            throw TailscaleError.unreadableStatus("\(error)")
        }
    }

    /// The node's tailnet addresses: `Self.TailscaleIPs`, else the top-level list.
    public var addresses: [String] { node?.tailscaleIPs ?? tailscaleIPs ?? [] }

    /// The first IPv4 address (100.64.0.0/10 under Headscale's defaults).
    public var ipv4Address: String? { addresses.first { !$0.contains(":") } }
    public var ipv6Address: String? { addresses.first { $0.contains(":") } }

    /// Whether the node key has expired at `now` (seconds since 1970): tailscaled's own flag, or
    /// `KeyExpiry` in the past.
    public func keyExpired(now: Int64) -> Bool {
        if node?.expired == true { return true }
        if let expiry = node?.keyExpirySeconds { return expiry <= now }
        return false
    }

    /// Health warnings joined into one line, for messages.
    public var healthSummary: String {
        let lines = (health ?? []).map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
        return lines.isEmpty ? "no health warnings" : lines.joined(separator: "; ")
    }
}
