import CharonSupport
import TestSupport

/// The fleet pass's benchmark world (`CharonFakes --scenario fleet`): `nodes` IPv4 service nodes
/// `svc-<n>` of user `services`, and `records` records in `example.com`, so that one pass has a
/// realistic day's work:
///
/// - every 50th node is offline and last seen 48 h ago (swept with the default 24 h TTL, its record
///   deleted); every 33rd other node is offline but seen an hour ago (kept);
/// - every node has its owned A record, except every 100th (a create; every other one of those
///   names is held by a foreign A record instead: reported, not taken);
/// - every 100th record (shifted by 7) points at a stale address (a PATCH);
/// - the rest of the `records` are owned records of names with no node (deleted).
///
/// ```swift
/// FleetScenario(nodes: 10_000, records: 10_000).seed(headscale: headscale, cloudflare: cloudflare)
/// ```
struct FleetScenario {
    var nodes: Int
    var records: Int

    func seed(headscale: FakeHeadscale, cloudflare: FakeCloudflare) {
        let now = RFC3339.nowEpochSeconds
        let marker = "managed by charon-lifecycle; owner=charon"
        var written = 0
        for index in 0..<nodes {
            let address = "100.\(64 + index / 65_536 % 64).\(index / 256 % 256).\(index % 256)"
            let swept = index % 50 == 0
            let resting = !swept && index % 33 == 0
            headscale.addNode(
                name: "svc-\(index)",
                user: "services",
                ipAddresses: [address],
                online: !(swept || resting),
                lastSeen: RFC3339.format(epochSeconds: now - (swept ? 48 * 3600 : resting ? 3600 : 0))
            )
            guard written < records else { continue }
            let name = "svc-\(index).example.com"
            if index % 100 == 1 {
                if index % 200 == 1 {
                    cloudflare.addRecord(name: name, type: "A", content: "203.0.113.\(index % 250 + 1)", ttl: 300)
                    written += 1
                }
                continue
            }
            let stale = index % 100 == 7
            cloudflare.addRecord(name: name, type: "A", content: stale ? "100.127.255.\(index % 250 + 1)" : address, ttl: 60, comment: marker)
            written += 1
        }
        var orphan = 0
        while written < records {
            cloudflare.addRecord(
                name: "gone-\(orphan).example.com",
                type: "A",
                content: "100.100.\(orphan / 256 % 256).\(orphan % 256)",
                ttl: 60,
                comment: marker
            )
            orphan += 1
            written += 1
        }
    }
}
