/// Paths inside an image: absolute in the spec, stored relative (`usr/local/bin/x`) in layer tars.
///
/// ```swift
/// try ImagePath.normalize("/usr/local/bin/charon-lifecycle", field: "destination")  // "usr/local/bin/charon-lifecycle"
/// ```
public enum ImagePath {
    /// Normalizes an image path to its relative tar form, refusing anything that would leave the
    /// image root (`..` past the top) and the root itself.
    ///
    /// ```swift
    /// try ImagePath.normalize("/usr//local/./bin/", field: "destination")  // "usr/local/bin"
    /// try ImagePath.normalize("/../etc/passwd", field: "destination")     // throws escapesRoot
    /// ```
    public static func normalize(_ path: String, field: String) throws(ImageSpecError) -> String {
        guard !path.isEmpty, !path.contains("\0") else {
            throw .invalidValue(field: field, value: path, reason: "empty path")
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { throw .escapesRoot(field: field, path: path) }
                // `..` after a real component is still refused: with symlinks in the layer the
                // lexical parent is not necessarily the real one, so only plain paths are accepted.
                throw .escapesRoot(field: field, path: path)
            default: parts.append(part)
            }
        }
        guard !parts.isEmpty else {
            throw .invalidValue(field: field, value: path, reason: "the image root itself cannot be an entry")
        }
        return parts.joined(separator: "/")
    }
}
