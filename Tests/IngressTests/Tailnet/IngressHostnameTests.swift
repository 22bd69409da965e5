import Ingress
import Tailscale
import Testing

struct IngressHostnameTests {
    @Test func prefixedAndCutToOneLabel() throws {
        #expect(try IngressHostname(nodeName: "worker-3").value == "nginx-ingress-worker-3")
        #expect(try IngressHostname(nodeName: "Worker-3").value == "nginx-ingress-worker-3")
        let long = String(repeating: "a", count: 63)
        #expect(try IngressHostname(nodeName: long).value == "nginx-ingress-" + String(repeating: "a", count: 49))
        // A cut that lands on a hyphen drops it: labels cannot end with one.
        let hyphenAtCut = String(repeating: "b", count: 48) + "-cde"
        #expect(try IngressHostname(nodeName: hyphenAtCut).value == "nginx-ingress-" + String(repeating: "b", count: 48))
        #expect(try IngressHostname(nodeName: long).value.utf8.count == 63)
    }

    @Test func nodeNamesThatAreNotDNSLabelsAreRefused() {
        for name in ["", "node.example.com", "node_1", "-node", "node-", "node 1", "node;rm", "nöde", String(repeating: "a", count: 64)] {
            #expect(throws: IngressHostnameError.self, "\(name)") { try IngressHostname(nodeName: name) }
        }
        let error = #expect(throws: IngressHostnameError.self) { try IngressHostname(nodeName: "node.example.com") }
        #expect(error?.description.hasPrefix(#"node name "node.example.com" is not a DNS label"#) == true)
    }
}
