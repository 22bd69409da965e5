import ArgumentParser
import Lifecycle

/// Bad configuration is exit status 2: print the one-line reason and stop.
enum FleetInput {
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConfigurationError {
            CommandFailure.printError("\(error)")
            throw ExitCode(2)
        }
    }
}
