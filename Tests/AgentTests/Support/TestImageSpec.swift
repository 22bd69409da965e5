import TestSupport

/// Image specs written for a test: small and quick by default, or big and slow to build (gzip of
/// the containerd binaries) when a test needs to catch a build in the middle.
enum TestImageSpec {
    /// Writes `image.yaml` into `folder` and returns the folder.
    @discardableResult
    static func write(
        into scratch: TemporaryDirectory,
        folder: String = "spec",
        reference: String,
        text: String = "hello",
        slow: Bool = false
    ) throws -> String {
        var lines = [
            "reference: \(reference)",
            "compression: \(slow ? "gzip" : "none")",
            "config:",
            "  entrypoint: [/hello]",
            "layers:",
            "  - name: data",
            "    contents:",
            "      - content: \"\(text)\"",
            "        destination: /etc/hello",
        ]
        if slow {
            // ~80 MB of binaries through gzip: seconds, long enough to signal the agent mid-build.
            for (source, name) in [("/usr/bin/containerd", "containerd"), ("/usr/bin/ctr", "ctr"), ("/usr/bin/containerd-shim-runc-v2", "shim")] {
                lines += ["      - file: \(source)", "        destination: /big/\(name)"]
            }
        }
        let yaml = lines.joined(separator: "\n") + "\n"
        try scratch.write("\(folder)/image.yaml", yaml)
        return "\(scratch.path)/\(folder)"
    }
}
