import Glibc

/// The environment variables charon-node reads, each with its default in one place.
///
/// | variable | option | default |
/// |---|---|---|
/// | `IMAGE_SPEC` | `--spec` | `images/tailscale-lifecycle` (checkout) or the installed copy |
/// | `IMAGE_OUTPUT` | `--output` | `/var/lib/tailscale-lifecycle-image.tar` |
/// | `CONTAINERD_ADDRESS` | `--containerd-address` | `/run/containerd/containerd.sock` |
/// | `CONTAINERD_NAMESPACE` | `--namespace` | `k8s.io` |
/// | `SOURCE_DATE_EPOCH` | — | `0` |
/// | `LOG_LEVEL` | — | `info` |
enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }

    static var imageOutput: String { value("IMAGE_OUTPUT") ?? "/var/lib/tailscale-lifecycle-image.tar" }
    static var containerdAddress: String { value("CONTAINERD_ADDRESS") ?? "/run/containerd/containerd.sock" }
    static var containerdNamespace: String { value("CONTAINERD_NAMESPACE") ?? "k8s.io" }
    static var imageSpec: String? { value("IMAGE_SPEC") }
    static var logLevel: String { value("LOG_LEVEL") ?? "info" }
}
