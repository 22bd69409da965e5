import ArgumentParser
import CharonSupport
import Glibc
import Logging
import OCI

/// Exit statuses: 0 done, 1 a failure the message names, 2 bad input (spec, arguments).
enum CommandFailure {
    /// Runs a command body, printing any error as one `error:` line and exiting with its status.
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as ImageSpecError {
            printError("\(error)")
            throw ExitCode(2)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    static func printError(_ message: String) {
        var standardError = StandardError()
        print("error: \(message)", to: &standardError)
    }
}

/// `print(…, to:)` target for stderr.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Logging set-up shared by every command: plain lines on stderr, level from `LOG_LEVEL`.
enum LogSetup {
    static func bootstrap() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: Environment.logLevel) ?? .info
            return handler
        }
    }
}
