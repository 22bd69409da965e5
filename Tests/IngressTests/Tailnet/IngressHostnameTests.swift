import Ingress
import Tailscale
import Testing

struct IngressHostnameTests {
    @Test func shortLabelsArePrefixedAsTheyAre() throws {
        #expect(try IngressHostname(nodeName: "worker-3").value == "nginx-ingress-worker-3")
        #expect(try IngressHostname(nodeName: "Worker-3").value == "nginx-ingress-worker-3")
        // Exactly 63 bytes with the prefix: still as it is.
        let fits = String(repeating: "a", count: 49)
        #expect(try IngressHostname(nodeName: fits).value == "nginx-ingress-" + fits)
    }

    @Test func everyLegalNodeNameBecomesOneValidLabel() throws {
        let names = [
            "ip-10-0-1-23.ec2.internal",  // EKS
            "gke-production-cluster-default-pool-1a2b3c4d-x9z8",  // GKE, 49 bytes: fits
            "gke-production-cluster-high-memory-pool-9f8e7d6c-abcd",  // GKE, 53 bytes
            "aks-nodepool1-12345678-vmss000000",
            "node1.k8s.example.com",
            String(repeating: "a", count: 63),
            String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + "." + String(repeating: "c", count: 63) + "."
                + String(repeating: "d", count: 61),  // 253 bytes, the longest legal name
            "a.b", "a-b", "a--b",
        ]
        for name in names {
            let hostname = try IngressHostname(nodeName: name)
            #expect(hostname.value.utf8.count <= 63, "\(name)")
            #expect(DNSName.isLabel(hostname.value), "\(hostname.value) from \(name)")
            #expect(hostname.value.hasPrefix("nginx-ingress-"))
            #expect(try IngressHostname(nodeName: name) == hostname, "deterministic: \(name)")
            #expect(hostname.nodeName == name, "the real name is kept")
        }
        let all = try names.map { try IngressHostname(nodeName: $0).value }
        #expect(Set(all).count == all.count, "no two node names share a hostname: \(all)")
    }

    @Test func rewrittenNamesKeepTheirStartAndAHash() throws {
        let eks = try IngressHostname(nodeName: "ip-10-0-1-23.ec2.internal").value
        #expect(eks.hasPrefix("nginx-ingress-ip-10-0-1-23-ec2-internal-"))
        #expect(eks.utf8.count == "nginx-ingress-ip-10-0-1-23-ec2-internal-".utf8.count + 10)
        let hash = eks.suffix(10)
        #expect(hash.allSatisfy { $0.isHexDigit })
    }

    @Test func namesThatDifferOnlyAfterTheCutStayApart() throws {
        let base = "gke-production-cluster-default-pool-1a2b3c4d-"  // 45 bytes
        var seen: Set<String> = []
        for suffix in ["x9z8abcdefgh", "x9z8abcdefgi", "x9z8abcdefgh1", "y9z8abcdefgh"] {
            let hostname = try IngressHostname(nodeName: base + suffix).value
            #expect(hostname.utf8.count <= 63)
            #expect(seen.insert(hostname).inserted, "\(base + suffix) must get a hostname of its own")
        }
        // A dot and a hyphen in the same place are different nodes.
        #expect(try IngressHostname(nodeName: "a.b").value != IngressHostname(nodeName: "a-b").value)
        #expect(try IngressHostname(nodeName: "a-b").value == "nginx-ingress-a-b")
    }

    @Test func namesThatAreNotKubernetesNodeNamesAreRefused() {
        let tooLong = String(repeating: "a.", count: 127) + "a"  // 255 bytes, labels all valid
        for name in ["", "node_1", "-node", "node-", "node 1", "node;rm", "nöde", "a..b", ".a", "a.", String(repeating: "a", count: 64), tooLong] {
            #expect(throws: IngressHostnameError.self, "\(name)") { try IngressHostname(nodeName: name) }
        }
        let error = #expect(throws: IngressHostnameError.self) { try IngressHostname(nodeName: "node_1") }
        #expect(error?.description.hasPrefix(#"node name "node_1" is not a Kubernetes node name"#) == true)
    }
}
