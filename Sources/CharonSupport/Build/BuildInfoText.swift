/// The build information an executable embeds (its version, compiler and linked Swift packages,
/// as JSON) behind a marker that image builds find in the binary without running it.
///
/// ```swift
/// // charon-lifecycle --build-info
/// print(BuildInfoText.json(from: EmbeddedBuildInfo.marked))  // {"name":"charon-lifecycle",…}
/// ```
public enum BuildInfoText {
    /// What precedes the JSON in the binary; the JSON itself starts with `{`.
    public static let marker = "charon-build-info:"

    /// The flag both executables answer with the JSON, before any other parsing.
    public static let flag = "--build-info"

    /// The JSON of a marked string (the marker removed).
    public static func json(from marked: String) -> String {
        marked.hasPrefix(marker) ? String(marked.dropFirst(marker.count)) : marked
    }
}
