import HostCommand
import TestSupport
import Testing

/// `charon-lifecycle` runs in a base-less image on every service pod: it must never link the
/// server stack or the subprocess runner. Read from the built binary's symbols (Swift mangles the
/// module name into every symbol: `$s7NIOCore…`), with charon-node as the control that the
/// pattern finds them where they are.
struct LifecycleLinkTests {
    static let serverStack = [
        "NIOCore", "NIOPosix", "NIOHTTP1", "Hummingbird", "ServiceLifecycle", "Subprocess", "Prometheus", "CoreMetrics", "Yams",
    ]

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
        #expect(try await Self.modules(in: "charon-node").isSuperset(of: ["NIOCore", "NIOHTTP1", "Subprocess"]))
    }

    /// The full Foundation brings FoundationInternationalization and ICU with its 30 MB of data,
    /// which the static release binary would carry and the agent map (docs/agent.md, memory):
    /// FoundationEssentials only. A dynamic (debug) build names the libraries it needs; a static
    /// one holds ICU's data blob by name (`icudt…`) when it carries it.
    @Test(arguments: ["charon-node", "charon-lifecycle"])
    func noFullFoundationAndNoICU(executable: String) async throws {
        let path = BuiltProducts.path(executable)
        let dynamic = try await HostCommand(executable: "readelf").run(["-d", path])
        #expect(dynamic.succeeded, "readelf \(executable): \(dynamic.standardError)")
        for library in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so", "libFoundationXML.so"] {
            #expect(!dynamic.standardOutput.contains(library), "\(executable) needs \(library)")
        }
        let icuData = try await HostCommand(executable: "grep").run(["-c", "-a", "icudt", path])
        #expect(icuData.exitCode == 1, "\(executable) holds ICU data: \(icuData.standardOutput)")
    }
}
