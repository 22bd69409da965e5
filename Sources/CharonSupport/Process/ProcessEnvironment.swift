import Glibc

/// This process's environment.
///
/// ```swift
/// let configuration = try LifecycleConfiguration.resolve(environment: ProcessEnvironment.current, flags: [:])
/// ```
public enum ProcessEnvironment {
    /// Every variable, read from `environ`.
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
