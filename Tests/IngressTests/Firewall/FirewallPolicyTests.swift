import Foundation
import Ingress
import Testing

struct FirewallPolicyTests {
    @Test func scriptReplacesTheTableInOneTransaction() throws {
        let script = try FirewallPolicy().applyScript
        let lines = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines[0] == "table inet charon_ingress")
        #expect(lines[1] == "delete table inet charon_ingress")
        // After IPVS's input hooks (priority 99), so Service VIP traffic is taken by IPVS first.
        #expect(lines.contains("type filter hook input priority 110; policy accept;"))
        #expect(FirewallPolicy.chainPriority > 99)
        #expect(lines.contains(#"tcp dport { 80, 443 } fib daddr type local iifname != { "lo", "tailscale0" } drop"#))
        // The node closed to the tailnet but for the ingress ports (and ICMP).
        #expect(lines.contains(#"iifname "tailscale0" ct state new tcp dport != { 80, 443 } drop"#))
        #expect(lines.contains(#"iifname "tailscale0" ct state new meta l4proto != { icmp, tcp, ipv6-icmp } drop"#))
    }

    @Test func tailnetPortsComeFromTheSetting() throws {
        #expect(try FirewallPolicy.parsePorts("80,443, 22") == [80, 443, 22])
        let policy = try FirewallPolicy(tailnetPorts: try FirewallPolicy.parsePorts("443,22,443"))
        #expect(policy.tailnetPorts == [22, 443])
        #expect(policy.ruleTexts[1] == #"iifname "tailscale0" ct state new tcp dport != { 22, 443 } drop"#)
        #expect(policy.ruleTexts[0].hasPrefix("tcp dport { 80, 443 }"), "the LAN rule keeps the ingress ports")
        for bad in ["", "80,,443", "http", "0", "65536", "80;22"] {
            #expect(throws: FirewallError.self, "\(bad)") { try FirewallPolicy.parsePorts(bad) }
        }
        #expect(throws: FirewallError.self) { try FirewallPolicy(tailnetPorts: []) }
    }

    /// What makes the watcher look at the table: events about it, and a flush of everything;
    /// never another table of the same name prefix, nor other tables' events.
    @Test func theWatcherReactsToItsTableAndToFlushes() {
        for line in [
            "delete table inet charon_ingress", "delete rule inet charon_ingress input handle 4",
            "add chain inet charon_ingress input { type filter hook input priority 110; policy accept; }", "flush ruleset",
        ] {
            #expect(FirewallWatcher.touches(line, table: "charon_ingress"), "\(line)")
        }
        for line in [
            "delete table inet charon_ingress2", "add table ip filter", "# new generation 4 by process 17 (nft)", "delete table ip charon_ingress",
        ] {
            #expect(!FirewallWatcher.touches(line, table: "charon_ingress"), "\(line)")
        }
    }

    @Test func namesThatCouldInjectRulesAreRefused() {
        for name in ["tailscale0; flush ruleset", "", "a-very-long-interface-name", "ts\"0", "ts 0"] {
            #expect(throws: FirewallError.self) { try FirewallPolicy(tailscaleInterface: name) }
        }
        #expect(throws: FirewallError.self) { try FirewallPolicy(tableName: "x; flush ruleset") }
        #expect(throws: FirewallError.self) { try FirewallPolicy(ports: []) }
    }

    @Test func singlePortAndSameInterfaceListWithoutSets() throws {
        let policy = try FirewallPolicy(tailscaleInterface: "lo", ports: [443], tailnetPorts: [443])
        #expect(policy.ruleTexts[0] == #"tcp dport 443 fib daddr type local iifname != "lo" drop"#)
        #expect(policy.ruleTexts[1] == #"iifname "lo" ct state new tcp dport != 443 drop"#)
    }

    @Test func listingComparedByMeaning() throws {
        let policy = try FirewallPolicy()
        // nft 1.0.6's own listing, set elements reordered: still in place.
        let listing = try JSONValue.parse(
            """
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "charon_ingress", "handle": 7}},
             {"chain": {"family": "inet", "table": "charon_ingress", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 110, "policy": "accept"}},
             {"rule": {"family": "inet", "table": "charon_ingress", "chain": "input", "handle": 4, "expr": [
               {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [443, 80]}}},
               {"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}},
               {"match": {"op": "!=", "left": {"meta": {"key": "iifname"}}, "right": {"set": ["tailscale0", "lo"]}}},
               {"drop": null}]}},
             {"rule": {"family": "inet", "table": "charon_ingress", "chain": "input", "handle": 5, "expr": [
               {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "tailscale0"}},
               {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "new"}},
               {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [443, 80]}}},
               {"drop": null}]}},
             {"rule": {"family": "inet", "table": "charon_ingress", "chain": "input", "handle": 6, "expr": [
               {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "tailscale0"}},
               {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "new"}},
               {"match": {"op": "!=", "left": {"meta": {"key": "l4proto"}}, "right": {"set": ["icmp", "tcp", "ipv6-icmp"]}}},
               {"drop": null}]}}]}
            """
        )
        #expect(try policy.state(ofListing: listing) == .inPlace)
        // The kernel's tailnet rule and the setting disagree (INGRESS_TAILNET_PORTS changed): drift.
        if case .drifted(let reason) = try FirewallPolicy(tailnetPorts: [22, 80, 443]).state(ofListing: listing) {
            #expect(reason.hasPrefix("rule 2 is"), "\(reason)")
        } else {
            Issue.record("another tailnet port list must be drift")
        }
        let chainPolicyDrop = try JSONValue.parse(
            """
            {"nftables": [{"table": {"family": "inet", "name": "charon_ingress"}},
             {"chain": {"family": "inet", "table": "charon_ingress", "name": "input", "type": "filter", "hook": "input", "prio": 110, "policy": "drop"}}]}
            """
        )
        #expect(try policy.state(ofListing: chainPolicyDrop) == .drifted(#"chain policy is "drop", expected "accept""#))
        // A chain at the filter priority (0) would run before IPVS and cut pods off Services.
        let beforeIPVS = try JSONValue.parse(
            """
            {"nftables": [{"table": {"family": "inet", "name": "charon_ingress"}},
             {"chain": {"family": "inet", "table": "charon_ingress", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}]}
            """
        )
        #expect(try policy.state(ofListing: beforeIPVS) == .drifted("chain prio is 0, expected 110"))
        #expect(try policy.state(ofListing: try JSONValue.parse(#"{"nftables": []}"#)) == .missing)
        #expect(throws: FirewallError.self) { try policy.state(ofListing: .array([])) }
    }
}
