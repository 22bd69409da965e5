import Agent
import Glibc

/// The human view of a ``StatusDocument``:
///
/// ```
/// node1  charon-node 0.1.0  healthy  ready  last pass 12s ago
///
/// CHECK       STATE  SINCE    MESSAGE
/// containerd  ok     2h ago   containerd 1.7.24 at /run/containerd/containerd.sock
/// image       ok     2h ago   localhost/tailscale-lifecycle:latest sha256:3f1c… pinned
/// disk        ok     2h ago   12.4 GiB free in /var/lib (needs 256 MiB)
/// tailscale   -      -        not configured on this node
/// ```
///
/// An agent that campaigns for the fleet pass adds a line under the first:
/// `fleet  leader  last pass 2m ago  fleet pass ok: 1000 nodes in scope, 3 swept; …`.
struct StatusTable {
    var document: StatusDocument
    var colour: Bool
    var now: Timestamp

    init(_ document: StatusDocument, colour: Bool, now: Timestamp) {
        self.document = document
        self.colour = colour
        self.now = now
    }

    /// Colour only for a person at a terminal: stdout is a tty, `TERM` is not dumb, no `NO_COLOR`.
    static var terminalWantsColour: Bool {
        guard isatty(1) == 1, getenv("NO_COLOR") == nil else { return false }
        guard let term = getenv("TERM").map({ String(cString: $0) }) else { return false }
        return term != "dumb"
    }

    func render() -> String {
        var header = "\(document.node)  charon-node \(document.version)  \(paint(document.overall.rawValue, stateColour(document.overall)))"
        header += document.ready ? "  ready" : "  " + paint("not ready", "31")
        header += "  " + (document.lastPass.map { "last pass \(age($0))" } ?? "no pass yet")
        var rows: [[String]] = [["CHECK", "STATE", "SINCE", "MESSAGE"]]
        var states: [String] = [""]
        for (name, check) in document.orderedChecks {
            let state = !check.configured ? "-" : check.ok ? "ok" : "FAIL"
            states.append(state)
            rows.append([name, state, check.configured ? (check.lastChange.map(age) ?? "-") : "-", check.message])
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = [header]
        if let fleet = document.fleet { lines.append(fleetLine(fleet)) }
        lines.append("")
        for (index, row) in rows.enumerated() {
            var cells = (0..<3).map { row[$0].padding(widths[$0]) }
            if index > 0 {
                let code = states[index] == "ok" ? "32" : states[index] == "FAIL" ? "31" : "2"
                cells[1] = paint(cells[1], code)
            }
            lines.append((cells + [row[3]]).joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "fleet  leader  last pass 2m ago  fleet pass ok: …", or "fleet  follower" on the agents
    /// that campaign but do not hold the Lease.
    func fleetLine(_ fleet: FleetReport) -> String {
        var line = "fleet  " + (fleet.leader ? "leader" : "follower")
        if let last = fleet.lastPass {
            line += "  last pass \(age(last))"
            if let summary = fleet.lastSummary {
                line += "  " + (fleet.lastSucceeded == false ? paint(summary, "31") : summary)
            }
        } else if fleet.leader {
            line += "  no pass yet"
        }
        return line
    }

    func stateColour(_ state: HealthState) -> String {
        switch state {
        case .healthy: "32"
        case .degraded: "33"
        case .unhealthy: "31"
        }
    }

    func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// "12s ago", "5m ago", "3h ago", "2d ago".
    func age(_ time: Timestamp) -> String {
        let seconds = max(0, now.seconds - time.seconds)
        switch seconds {
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86400: return "\(seconds / 3600)h ago"
        default: return "\(seconds / 86400)d ago"
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
