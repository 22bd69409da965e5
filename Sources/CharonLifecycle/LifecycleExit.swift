import ArgumentParser

/// How a run ends (docs/lifecycle.md): 0 done, 1 a failure the message names, 2 bad configuration.
enum LifecycleExit: Error, CustomStringConvertible {
    case failed(String)
    case badConfiguration(String)

    var code: Int32 {
        switch self {
        case .failed: 1
        case .badConfiguration: 2
        }
    }

    var description: String {
        switch self {
        case .failed(let message): "error: \(message)"
        case .badConfiguration(let message): "configuration error: \(message)"
        }
    }
}
