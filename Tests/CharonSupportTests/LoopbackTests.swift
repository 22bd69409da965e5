import CharonSupport
import Testing

struct LoopbackTests {
    @Test func loopbackHostsAndPeers() {
        for host in ["localhost", "api.localhost", "127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"] {
            #expect(Loopback.isHost(host), "\(host)")
        }
        for host in [
            "192.0.2.1", "100.64.0.7", "::ffff:192.0.2.1", "127.0.0", "127.0.0.256", "1127.0.0.1", "localhost.example.com", "fd7a:115c:a1e0::1", "",
        ] {
            #expect(!Loopback.isHost(host), "\(host)")
        }
    }
}
