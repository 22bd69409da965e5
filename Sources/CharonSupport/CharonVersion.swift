/// The version every charon executable reports (`--version`, `/status`, image labels).
///
/// ```swift
/// print(CharonVersion.current)  // "0.1.0"
/// ```
public enum CharonVersion {
    /// Semantic version of this build; bump it with each release.
    public static let current = "0.1.0"
}
