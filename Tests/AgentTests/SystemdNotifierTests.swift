import Agent
import CharonSupport
import Dispatch
import Glibc
import TestSupport
import Testing

/// A real `SOCK_DGRAM` unix socket standing in for systemd's notify socket.
final class NotifySocket {
    let descriptor: Int32
    let name: String

    /// `abstract`: a name in the abstract namespace, given to the agent as `@name`.
    init(path: String, abstract: Bool) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if abstract { bytes.insert(0, at: 0) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0 else { throw SystemError(operation: "bind", path: path) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        name = abstract ? "@" + path : path
    }

    deinit { close(descriptor) }

    /// The next datagram, or `nil` after the 5 s receive timeout.
    ///
    /// The blocking `recv` runs on a Dispatch thread, not on the cooperative pool: with two cores
    /// the pool has two threads, and parallel tests blocking both would starve the very task
    /// (the reporter) whose datagram they wait for.
    /// Every datagram already queued, without waiting.
    func drain() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count >= 0 else { return messages }
            messages.append(String(decoding: buffer.prefix(count), as: UTF8.self))
        }
    }

    func receive() async -> String? {
        let descriptor = descriptor
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(descriptor, &buffer, buffer.count, 0)
                continuation.resume(returning: count >= 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil)
            }
        }
    }
}

@Suite("sd_notify over a real datagram socket", .timeLimit(.minutes(2)))
struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func sendsToPathAndAbstractSockets(abstract: Bool) async throws {
        let scratch = try TemporaryDirectory()
        let receiver = try NotifySocket(
            path: abstract ? "charon-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" : "\(scratch.path)/notify",
            abstract: abstract
        )
        try SystemdNotifier(socketPath: receiver.name).send("READY=1\nSTATUS=hello")
        #expect(await receiver.receive() == "READY=1\nSTATUS=hello")
    }

    @Test func aMissingSocketIsAnError() {
        #expect(throws: SystemError.self) { try SystemdNotifier(socketPath: "/nonexistent/notify").send("READY=1") }
    }

    @Test func environmentGivesSocketAndHalfTheWatchdogPeriod() {
        #expect(SystemdEnvironment(environment: [:]) == nil)
        let systemd = SystemdEnvironment(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000"])
        #expect(systemd?.watchdogInterval == .seconds(15))
        let otherProcess = SystemdEnvironment(
            environment: ["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"],
            processID: 4242
        )
        #expect(otherProcess?.watchdogPeriod == nil, "the watchdog is meant for another process")
    }

    @Test func readyOnceAfterTheFirstGoodPassAndStatusOnChange() async throws {
        let scratch = try TemporaryDirectory()
        let receiver = try NotifySocket(path: "\(scratch.path)/notify", abstract: false)
        let model = HealthModel(node: "n", checks: [("containerd", .unhealthy, true), ("image", .unhealthy, true)])
        let reporter = SystemdReporter(environment: SystemdEnvironment(notifySocket: receiver.name), model: model, stallLimit: .seconds(60))

        model.record("containerd", .failed("down"))
        model.record("image", .failed("cannot verify"))
        await reporter.healthDidUpdate(model.publish(), changed: [])
        #expect(await receiver.receive() == "STATUS=unhealthy: containerd: down; image: cannot verify")

        model.record("containerd", .ok("up"))
        model.record("image", .ok("localhost/x sha256:ab pinned"))
        await reporter.healthDidUpdate(model.publish(), changed: [])
        #expect(await receiver.receive() == "READY=1\nSTATUS=healthy: localhost/x sha256:ab pinned")

        model.record("containerd", .failed("down"))
        await reporter.healthDidUpdate(model.publish(), changed: [])
        #expect(await receiver.receive() == "STATUS=unhealthy: containerd: down", "READY=1 is sent once")
    }

    @Test func watchdogPingsAtHalfThePeriodWhileTheLoopIsAlive() async throws {
        let scratch = try TemporaryDirectory()
        let receiver = try NotifySocket(path: "\(scratch.path)/notify", abstract: false)
        let clock = ManualClock()
        let model = HealthModel(node: "n", checks: [("image", .unhealthy, true)], clock: clock)
        let reporter = SystemdReporter(
            environment: SystemdEnvironment(notifySocket: receiver.name, watchdogPeriod: .seconds(30)),
            model: model,
            stallLimit: .seconds(60),
            clock: clock
        )
        let task = Task { try await reporter.run() }
        // Each sleep of the reporter follows its ping (a datagram is queued when send returns).
        await clock.waitForSleeps(1)
        #expect(receiver.drain() == ["WATCHDOG=1"])
        #expect(clock.sleeps == [.seconds(15)], "half of WATCHDOG_USEC")
        clock.advance(by: .seconds(15))
        await clock.waitForSleeps(2)
        #expect(receiver.drain() == ["WATCHDOG=1"])
        // A pass starts and never ends: pings while it is younger than the 60 s stall limit, then none.
        model.passDidStart()
        for sleeps in 3...6 {
            clock.advance(by: .seconds(15))
            await clock.waitForSleeps(sleeps)
        }
        #expect(receiver.drain() == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"], "at 15, 30 and 45 s into the pass; not at 60 s")
        clock.advance(by: .seconds(15))
        await clock.waitForSleeps(7)
        #expect(receiver.drain().isEmpty, "stuck: systemd's watchdog will restart the unit")
        model.publish()
        clock.advance(by: .seconds(15))
        await clock.waitForSleeps(8)
        #expect(receiver.drain() == ["WATCHDOG=1"], "the loop moved again")
        task.cancel()
        _ = await task.result
    }
}
