import HostCommand
import TestSupport
import Testing

/// `charon-lifecycle` runs in a base-less image on every service pod: it must never link the
/// server stack or the subprocess runner. Read from the built binary's symbols (Swift mangles the
/// module name into every symbol: `$s7NIOCore…`), with charon-node as the control that the
/// pattern finds them where they are.
struct LifecycleLinkTests {
    static let serverStack = ["NIOCore", "NIOPosix", "Hummingbird", "ServiceLifecycle", "Subprocess", "Prometheus", "CoreMetrics", "Yams"]

    static func modules(in executable: String) async throws -> Set<String> {
        let output = try await HostCommand(executable: "nm").run([BuiltProducts.path(executable)], outputLimit: 512 << 20)
        #expect(output.succeeded, "nm \(executable): \(output.standardError)")
        var found: Set<String> = []
        for module in serverStack where output.standardOutput.contains("$s\(module.utf8.count)\(module)") {
            found.insert(module)
        }
        return found
    }

    @Test func charonLifecycleLinksNoServerStack() async throws {
        #expect(try await Self.modules(in: "charon-lifecycle").isEmpty)
        // The control: the agent does link them, so the check can see them.
        #expect(try await Self.modules(in: "charon-node").isSuperset(of: ["NIOCore", "Hummingbird", "Subprocess"]))
    }
}
