/// A fake server a test starts and must stop.
public protocol StoppableFake {
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
///
/// The body returns nothing: with a generic result, Swift 6.3 type-checks a multi-statement body
/// before it knows the body may throw, and rejects `#expect(try …)` inside it.
public func withFake<Fake: StoppableFake>(_ fake: Fake, _ body: (Fake) async throws -> Void) async throws {
    do {
        try await body(fake)
        await fake.stop()
    } catch {
        await fake.stop()
        throw error
    }
}
