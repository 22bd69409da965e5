import Agent
import CharonSupport
import Containerd
import TestSupport
import Testing

@Suite("Image reconciler without containerd")
struct ImageReconcilerTests {
    static func reconciler(_ scratch: TemporaryDirectory) throws -> (ImageReconciler, String) {
        let spec = try TestImageSpec.write(into: scratch, reference: "localhost/charon-reconciler:latest")
        let output = "\(scratch.path)/image.tar"
        let reconciler = ImageReconciler(
            spec: spec,
            builderOptions: .init(output: output),
            containerd: ContainerdClient(address: "\(scratch.path)/no-containerd.sock"),
            metrics: AgentMetrics()
        )
        return (reconciler, output)
    }

    @Test func containerdDownStillBuildsAndSaysWhyTheImageCannotBeVerified() async throws {
        let scratch = try TemporaryDirectory()
        let (reconciler, output) = try Self.reconciler(scratch)
        let outcome = await reconciler.reconcileImage()
        #expect(!outcome.containerd.ok)
        #expect(outcome.containerd.reason == "ContainerdUnreachable")
        #expect(outcome.containerd.message.contains("does not exist"))
        #expect(!outcome.image.ok)
        #expect(outcome.image.message.contains("containerd is unreachable"))
        #expect(outcome.image.details["tarball"] == output)
        #expect(outcome.image.details["digest"]?.hasPrefix("sha256:") == true)
        #expect(POSIXIO.exists(output), "the build is local: it happens while containerd is down")
    }

    @Test func aBuildBlockedOnAnotherProcesssLockIsNotStartedTwice() async throws {
        let scratch = try TemporaryDirectory()
        let (reconciler, output) = try Self.reconciler(scratch)
        // Another builder (here: this test) holds the output's lock.
        let lock = try FileLock.acquire("\(output).lock")
        let first = Task { await reconciler.reconcileImage() }
        // The first pass's build is under way once it blocks on the lock.
        try await LockWaiters.waitForOne(on: "\(output).lock")
        let second = await reconciler.reconcileImage()
        #expect(!second.image.ok)
        #expect(second.image.message.contains("has not finished"), "\(second.image.message)")
        lock.release()
        let firstOutcome = await first.value
        #expect(firstOutcome.image.message.contains("containerd is unreachable"), "\(firstOutcome.image.message)")
        let third = await reconciler.reconcileImage()
        #expect(!third.image.message.contains("has not finished"))
    }
}
