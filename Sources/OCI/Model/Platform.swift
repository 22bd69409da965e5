/// The platform an image runs on (`linux/amd64`).
///
/// ```swift
/// let arm = Platform(parsing: "linux/arm64/v8")  // architecture "arm64", os "linux", variant "v8"
/// print(Platform.host)                            // linux/amd64 on x86_64
/// ```
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?

    public init(architecture: String, os: String = "linux", variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// Parses `os/arch[/variant]`, e.g. `linux/arm64/v8`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
    }

    /// The platform this program was compiled for.
    public static var host: Platform {
        #if arch(x86_64)
        return Platform(architecture: "amd64")
        #elseif arch(arm64)
        return Platform(architecture: "arm64")
        #else
        return Platform(architecture: "unknown")
        #endif
    }

    public var description: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }
}
