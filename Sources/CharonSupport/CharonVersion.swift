/// The version every charon executable reports (`--version`, `/status`, image labels).
///
/// Stamped at build time by the `BuildInfo` plugin from `CHARON_VERSION` (`make release
/// VERSION=9.8.7`, `make build` uses `git describe`); a plain `swift build` says `0.0.0-dev`.
///
/// ```swift
/// print(CharonVersion.current)  // "9.8.7"
/// ```
public enum CharonVersion {
    /// Semantic version of this build.
    public static var current: String { stamped }
}
