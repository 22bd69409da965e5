import Agent
import ArgumentParser
import CharonSupport
import Ingress
import Lifecycle
import OCI

/// Exit statuses: 0 done, 1 a failure the message names, 2 bad input (spec, settings, arguments).
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

    /// Runs the part of a command that reads its input (settings, hostnames, service lists): a
    /// bad one is exit status 2, like a bad image spec, with its one-line reason. Other errors
    /// pass through.
    static func checkingInput<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConfigurationError {
            printError("\(error)")
            throw ExitCode(2)
        } catch let error as IngressHostnameError {
            printError("\(error)")
            throw ExitCode(2)
        } catch let error as StateRemovalError {
            printError("\(error)")
            throw ExitCode(2)
        } catch let error as FirewallError {
            printError("\(error)")
            throw ExitCode(2)
        } catch let error as NginxConfigError {
            guard case .invalidService = error else { throw error }
            printError("\(error)")
            throw ExitCode(2)
        }
    }

    static func printError(_ message: String) {
        var standardError = UnbufferedOutput.standardError
        print("error: \(message)", to: &standardError)
    }
}
