import Glibc
import TestSupport

/// The host tools the integration tests drive. Missing in CI is a failure (CI installs them with
/// scripts/install-deps.sh); missing on a laptop run is a skip with the reason.
enum Prerequisites {
    static func missing(_ tools: [String], needsRoot: Bool = true) -> String? {
        var problems: [String] = []
        if needsRoot && geteuid() != 0 { problems.append("root") }
        let path = TestEnvironment.value("PATH") ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for tool in tools where !directories.contains(where: { access("\($0)/\(tool)", X_OK) == 0 }) {
            problems.append(tool)
        }
        return problems.isEmpty ? nil : "needs " + problems.joined(separator: ", ")
    }

    /// True when the test can run; in CI a missing tool is recorded as a failure first.
    static func available(_ tools: [String], needsRoot: Bool = true) -> Bool {
        missing(tools, needsRoot: needsRoot) == nil
    }
}
