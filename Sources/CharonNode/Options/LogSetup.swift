import Logging

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
