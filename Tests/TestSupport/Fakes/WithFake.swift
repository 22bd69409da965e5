/// A fake server a test starts and must stop.
public protocol StoppableFake: Sendable {
    func stop() async
}

extension LoopbackServer: StoppableFake {}
extension FakeHeadscale: StoppableFake {}
extension FakeCloudflare: StoppableFake {}
extension FakeKubernetesAPI: StoppableFake {}

/// Runs `body` with a started fake, then stops it and waits for the teardown, also when `body`
/// throws (unlike `defer { Task { await fake.stop() } }`, which returns before the port is closed).
///
/// ```swift
/// try await withFake(try await FakeHeadscale.start()) { headscale in … }
/// ```
public func withFake<Fake: StoppableFake, Result>(_ fake: Fake, _ body: (Fake) async throws -> Result) async throws -> Result {
    do {
        let result = try await body(fake)
        await fake.stop()
        return result
    } catch {
        await fake.stop()
        throw error
    }
}
