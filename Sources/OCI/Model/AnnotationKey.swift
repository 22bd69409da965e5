/// Annotation keys that name an image inside `index.json`.
///
/// ```swift
/// let annotations = [
///     AnnotationKey.containerdImageName: "localhost/tailscale-lifecycle:latest",
///     AnnotationKey.refName: "latest",
/// ]
/// ```
public enum AnnotationKey {
    /// Full reference (`localhost/tailscale-lifecycle:latest`); containerd's importer reads it.
    public static let containerdImageName = "io.containerd.image.name"
    /// The tag alone (`latest`); skopeo and umoci select by it.
    public static let refName = "org.opencontainers.image.ref.name"
}
