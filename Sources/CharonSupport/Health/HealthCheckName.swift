/// The names of the checks `/status` always lists, in this order. `tailscale` and `ingress` are
/// slots: until a module provides a check with that name they read "not configured".
///
/// ```swift
/// struct DiskCheck: HealthCheck {
///     let name = HealthCheckName.disk  // fills the `disk` row of /status
///     func run() async -> HealthCheckResult { .ok("412 MiB free in /var/lib") }
/// }
/// HealthCheckName.all  // ["containerd", "image", "disk", "tailscale", "ingress"]
/// ```
public enum HealthCheckName {
    public static let containerd = "containerd"
    public static let image = "image"
    public static let disk = "disk"
    public static let tailscale = "tailscale"
    public static let ingress = "ingress"

    public static let all = [containerd, image, disk, tailscale, ingress]
}
