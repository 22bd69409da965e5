/// Errors of the layer pipeline.
///
/// ```swift
/// do {
///     let blob = try writer.write(plan.entries, to: file)
/// } catch LayerWriteError.sourceChanged(let path) {
///     print("\(path) changed while it was being read; build again")
/// }
/// ```
public enum LayerWriteError: Error, CustomStringConvertible {
    case libarchive(String)
    case sourceChanged(path: String)

    public var description: String {
        switch self {
        case .libarchive(let message): "libarchive: \(message)"
        case .sourceChanged(let path): "\(path) changed size while the image was being built; build again"
        }
    }
}
