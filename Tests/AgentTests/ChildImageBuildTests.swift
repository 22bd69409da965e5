import Agent
import CharonSupport
import Containerd
import Glibc
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

    @Test func nothingChangedMeansNoChildOnceVerifiedAndAChangeRunsOneAgain() async throws {
        let scratch = try TemporaryDirectory()
        let spec = try TestImageSpec.write(into: scratch, reference: "localhost/charon-child-memo:latest")
        // A wrapper that counts the children the reconciler starts.
        try scratch.write("count-builds", "#!/bin/sh\necho build >> \(scratch.path)/builds\nexec \(BuiltProducts.path("charon-node")) \"$@\"\n")
        _ = chmod("\(scratch.path)/count-builds", 0o755)
        let reconciler = ImageReconciler(
            spec: spec,
            builderOptions: .init(output: "\(scratch.path)/image.tar"),
            containerd: ContainerdClient(address: "\(scratch.path)/no-containerd.sock"),
            metrics: AgentMetrics(),
            buildExecutable: "\(scratch.path)/count-builds"
        )
        func builds() throws -> Int { try POSIXIO.readFile("\(scratch.path)/builds").filter { $0 == 0x0A }.count }

        var digests: Set<String?> = []
        for _ in 0..<5 {
            let outcome = await reconciler.reconcileImage()
            #expect(outcome.image.details["digest"] != nil, "\(outcome.image.message)")
            digests.insert(outcome.image.details["digest"])
        }
        // 1: written, reports its checked paths; 2: stamps them before it starts, answers
        // unchanged with the same paths: verified. 3 to 5 reuse it without a child.
        let afterFive = try builds()
        #expect(afterFive == 2, "\(afterFive) children for 5 passes")
        #expect(digests.count == 1 && digests.first! != nil)

        try TestImageSpec.write(into: scratch, reference: "localhost/charon-child-memo:latest", text: "changed")
        let changed = await reconciler.reconcileImage()
        #expect(try builds() == 3, "a changed input runs a child again")
        #expect(changed.image.details["digest"] != digests.first!)
    }
}
