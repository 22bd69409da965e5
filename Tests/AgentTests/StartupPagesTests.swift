import Agent
import CharonSupport
import Synchronization
import Testing

@Suite("Pages touched only at start")
struct StartupPagesTests {
    @Test func onlyReadOnlyFileMappingsAreReleasable() {
        let maps = """
            55d0c8a00000-55d0c9400000 r--p 00000000 fd:01 2097153                    /usr/bin/charon-node
            55d0c9400000-55d0ca000000 r-xp 00a00000 fd:01 2097153                    /usr/bin/charon-node
            55d0ca000000-55d0ca100000 rw-p 01600000 fd:01 2097153                    /usr/bin/charon-node
            55d0ca100000-55d0ca200000 rw-p 00000000 00:00 0                          [heap]
            7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0
            7f1c2b000000-7f1c2b028000 r--p 00000000 fd:01 1835012                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7f1c2b100000-7f1c2b102000 r--p 00000000 00:06 4711                       /memfd:anything (deleted)
            7f1c2b200000-7f1c2b201000 r--s 00000000 00:06 4712                       /dev/zero (deleted)
            7ffd1a5fe000-7ffd1a602000 r--p 00000000 00:00 0                          [vvar]
            7ffd1a602000-7ffd1a604000 r-xp 00000000 00:00 0                          [vdso]
            7f1c2c000000-7f1c2c001000 ---p 00000000 fd:01 1835012                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7f1c2d000000-7f1c2d001000 r--s 00000000 fd:01 99                         /var/lib/shared file with spaces
            not a line of maps
            """
        let mappings = StartupPages.releasable(inMaps: maps)
        #expect(
            mappings == [
                .init(start: 0x55d0_c8a0_0000, end: 0x55d0_c940_0000, path: "/usr/bin/charon-node"),
                .init(start: 0x55d0_c940_0000, end: 0x55d0_ca00_0000, path: "/usr/bin/charon-node"),
                .init(start: 0x7f1c_2b00_0000, end: 0x7f1c_2b02_8000, path: "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                .init(start: 0x7f1c_2d00_0000, end: 0x7f1c_2d00_1000, path: "/var/lib/shared file with spaces"),
            ],
            "writable, anonymous, shared-memory (memfd, /dev), pseudo (vvar, vdso) and inaccessible mappings stay"
        )
    }

    @Test func releasingShrinksThisProcess() {
        // The test binary's pages are mapped by this process alone, so the kernel can take some.
        let released = StartupPages.release()
        #expect(released > 0)
    }

    @Test func theObserverReleasesOnceAndRecordsIt() async {
        let calls = Mutex(0)
        let metrics = AgentMetrics()
        let release = StartupPageRelease(metrics: metrics) {
            calls.withLock { $0 += 1 }
            return 9 << 20
        }
        let model = HealthModel(node: "node1", checks: [("containerd", .unhealthy, true)])
        model.record("containerd", .ok("up", reason: "ContainerdReachable"), at: Timestamp(seconds: 1))
        await release.healthDidUpdate(model.publish(at: Timestamp(seconds: 1)), changed: ["containerd"])
        await release.healthDidUpdate(model.publish(at: Timestamp(seconds: 2)), changed: [])
        #expect(calls.withLock { $0 } == 1, "the first pass's pages go back once; later passes keep their working set")
        #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains("charon_agent_startup_pages_released_bytes 9437184"))
    }
}
