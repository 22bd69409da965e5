import Agent
import CharonSupport
import Containerd
import OCI
import TestSupport
import Testing

@Suite("Builds in a child process")
struct ChildImageBuildTests {
    @Test func theChildWritesTheSameImageAnInProcessBuildWrites() throws {
        let scratch = try TemporaryDirectory()
        let spec = try TestImageSpec.write(into: scratch, reference: "localhost/charon-child:latest")
        let child = ChildImageBuild(executable: BuiltProducts.path("charon-node"))

        let first = try child.run(spec: spec, options: .init(output: "\(scratch.path)/child.tar", sourceDateEpoch: 1_700_000_000))
        #expect(first.outcome == .written)
        #expect(first.reference == "localhost/charon-child:latest")
        #expect(first.output == "\(scratch.path)/child.tar")
        #expect(first.size == Int64(try POSIXIO.readFile(first.output).count))

        let inProcess = try ImageBuilder(options: .init(output: "\(scratch.path)/in-process.tar", sourceDateEpoch: 1_700_000_000))
            .build(try ImageSpec.load(from: spec))
        #expect(first.manifestDigest == inProcess.manifestDigest, "same spec and epoch, same image")
        #expect(try POSIXIO.readFile(first.output) == POSIXIO.readFile(inProcess.output))

        let again = try child.run(spec: spec, options: .init(output: "\(scratch.path)/child.tar", sourceDateEpoch: 1_700_000_000))
        #expect(again.outcome == .unchanged)
        #expect(again.manifestDigest == first.manifestDigest)
        #expect(try POSIXIO.listDirectory(scratch.path).filter { $0.contains("build-log") }.isEmpty, "the log file is never left behind")
    }

    @Test func aFailingChildSaysWhy() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("bad/image.yaml", "reference: localhost/bad\nlayers: 42\n")
        let child = ChildImageBuild(executable: BuiltProducts.path("charon-node"))
        #expect {
            try child.run(spec: "\(scratch.path)/bad", options: .init(output: "\(scratch.path)/bad.tar"))
        } throws: { error in
            "\(error)".contains("exited with status") && "\(error)".contains("layers \"42\" is invalid")
        }
        #expect(!POSIXIO.exists("\(scratch.path)/bad.tar"))
    }

    @Test func theReconcilerBuildsThroughTheChild() async throws {
        let scratch = try TemporaryDirectory()
        let spec = try TestImageSpec.write(into: scratch, reference: "localhost/charon-child-reconciler:latest")
        let output = "\(scratch.path)/image.tar"
        let reconciler = ImageReconciler(
            spec: spec,
            builderOptions: .init(output: output),
            containerd: ContainerdClient(address: "\(scratch.path)/no-containerd.sock"),
            metrics: AgentMetrics(),
            buildExecutable: BuiltProducts.path("charon-node")
        )
        let outcome = await reconciler.reconcileImage()
        #expect(outcome.image.details["digest"]?.hasPrefix("sha256:") == true, "\(outcome.image.message)")
        #expect(POSIXIO.exists(output))
    }
}
