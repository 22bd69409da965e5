/// `tailscale status --json` as tailscaled 1.9x-1.102 prints it in each state a node goes through
/// (trimmed of peers; field names, nesting, nulls and omitted fields as in ipnstate.Status).
public enum TailscaleFixtures {
    /// 2026-11-25T12:00:00Z: "now" for expiry decisions in these tests.
    public static let now: Int64 = 1_795_608_000

    public static func selfNode(hostName: String, ips: String, online: Bool, keyExpiry: String?, expired: Bool = false) -> String {
        """
        {
            "ID": "7",
            "PublicKey": "nodekey:5c7f0e4a9b2d1c3e8f6a0b4d2c1e3f5a7b9d0c2e4f6a8b0d1c3e5f7a9b0c2d4e",
            "HostName": "\(hostName)",
            "DNSName": "\(hostName).tailnet.example.com.",
            "OS": "linux",
            "UserID": 1,
            "TailscaleIPs": \(ips),
            "AllowedIPs": ["100.64.0.7/32", "fd7a:115c:a1e0::7/128"],
            "Addrs": ["192.0.2.10:41641", "[2001:db8::10]:41641"],
            "CurAddr": "",
            "Relay": "fra",
            "RxBytes": 0,
            "TxBytes": 0,
            "Created": "2026-11-25T09:12:44.123456789Z",
            "LastWrite": "0001-01-01T00:00:00Z",
            "LastSeen": "0001-01-01T00:00:00Z",
            "LastHandshake": "0001-01-01T00:00:00Z",
            "Online": \(online),
            "ExitNode": false,
            "ExitNodeOption": false,
            "Active": false,
            "PeerAPIURL": ["http://100.64.0.7:40123", "http://[fd7a:115c:a1e0::7]:40123"],
            "Capabilities": ["https://tailscale.com/cap/file-sharing", "https://tailscale.com/cap/ssh"],
            "InNetworkMap": true,
            "InMagicSock": false,
            "InEngine": false\(keyExpiry.map { ",\n    \"KeyExpiry\": \"\($0)\"" } ?? "")\(expired ? ",\n    \"Expired\": true" : "")
        }
        """
    }

    public static let addresses = #"["100.64.0.7", "fd7a:115c:a1e0::7"]"#

    public static func document(state: String, haveNodeKey: Bool, ips: String, node: String, health: String) -> String {
        """
        {
          "Version": "1.102.3-t8d4b1f2a0-g3c9e5a7b1",
          "TUN": true,
          "BackendState": "\(state)",
          \(haveNodeKey ? "\"HaveNodeKey\": true," : "")
          "AuthURL": "",
          "TailscaleIPs": \(ips),
          "Self": \(node),
          "Health": \(health),
          "MagicDNSSuffix": "tailnet.example.com",
          "CurrentTailnet": {"Name": "headscale", "MagicDNSSuffix": "tailnet.example.com", "MagicDNSEnabled": true},
          "CertDomains": null,
          "Peer": {
            "nodekey:9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9": {
              "ID": "3", "PublicKey": "nodekey:9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9",
              "HostName": "ollama", "DNSName": "ollama.tailnet.example.com.", "OS": "linux", "UserID": 1,
              "TailscaleIPs": ["100.64.0.3", "fd7a:115c:a1e0::3"], "Online": true, "Active": false
            }
          },
          "User": {"1": {"ID": 1, "LoginName": "ingress", "DisplayName": "ingress", "ProfilePicURL": ""}},
          "ClientVersion": null
        }
        """
    }

    public static func running(hostName: String = "nginx-ingress-node1", keyExpiry: String? = "2027-05-24T09:12:44Z") -> String {
        document(
            state: "Running",
            haveNodeKey: true,
            ips: addresses,
            node: selfNode(hostName: hostName, ips: addresses, online: true, keyExpiry: keyExpiry),
            health: "[]"
        )
    }

    /// Never joined, or after `tailscale logout`: no node key, no addresses.
    public static let needsLogin = document(
        state: "NeedsLogin",
        haveNodeKey: false,
        ips: "null",
        node: """
            {"ID": "", "PublicKey": "nodekey:0000000000000000000000000000000000000000000000000000000000000000", "HostName": "node1",
             "DNSName": "", "OS": "linux", "UserID": 0, "TailscaleIPs": null, "Addrs": [], "CurAddr": "", "Relay": "",
             "RxBytes": 0, "TxBytes": 0, "Created": "0001-01-01T00:00:00Z", "LastWrite": "0001-01-01T00:00:00Z",
             "LastSeen": "0001-01-01T00:00:00Z", "LastHandshake": "0001-01-01T00:00:00Z", "Online": false,
             "ExitNode": false, "ExitNodeOption": false, "Active": false, "PeerAPIURL": null,
             "InNetworkMap": false, "InMagicSock": false, "InEngine": false}
            """,
        health: #"["You are logged out."]"#
    )

    /// The node key expired: NeedsLogin, but the CLI still lists the old addresses.
    public static let expired = document(
        state: "NeedsLogin",
        haveNodeKey: true,
        ips: addresses,
        node: selfNode(hostName: "nginx-ingress-node1", ips: addresses, online: false, keyExpiry: "2026-11-20T09:12:44Z", expired: true),
        health: #"["Your node key has expired. Run tailscale up --force-reauth to log in again."]"#
    )

    /// `tailscale down`: Stopped with a valid key; addresses listed, none on the interface.
    public static let stopped = document(
        state: "Stopped",
        haveNodeKey: true,
        ips: addresses,
        node: selfNode(hostName: "nginx-ingress-node1", ips: addresses, online: false, keyExpiry: "2027-05-24T09:12:44Z"),
        health: #"["Tailscale is stopped."]"#
    )

    public static let needsMachineAuth = document(
        state: "NeedsMachineAuth",
        haveNodeKey: true,
        ips: "null",
        node: selfNode(hostName: "nginx-ingress-node1", ips: "null", online: false, keyExpiry: nil),
        health: #"["not logged in, last login error=machine not authorized"]"#
    )

    public static let starting = document(
        state: "Starting",
        haveNodeKey: true,
        ips: addresses,
        node: selfNode(hostName: "nginx-ingress-node1", ips: addresses, online: false, keyExpiry: "2027-05-24T09:12:44Z"),
        health: #"["not connected to home DERP region 1"]"#
    )
}
