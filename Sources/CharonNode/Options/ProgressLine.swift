import Glibc
import OCI
import Synchronization

/// One self-rewriting status line on stderr while a long step runs, shown only on a terminal
/// (logs and pipes get the plain log lines instead). Redrawn at most ten times a second.
///
/// ```swift
/// let progress = ProgressLine.forTerminal()
/// options.progress = progress?.report
/// defer { progress?.clear() }
/// ```
final class ProgressLine: Sendable {
    private let lastDraw = Mutex<Double>(0)

    /// A progress line when stderr is a terminal, else `nil`.
    static func forTerminal() -> ProgressLine? {
        isatty(2) == 1 ? ProgressLine() : nil
    }

    func report(_ progress: ImageBuilder.BuildProgress) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let seconds = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        let due = lastDraw.withLock { last in
            guard seconds - last >= 0.1 || progress.written == progress.total else { return false }
            last = seconds
            return true
        }
        guard due else { return }
        // A finished layer leaves a clean line for the log line that follows it.
        guard progress.written < progress.total else { return clear() }
        let megabytes = { (bytes: Int64) -> String in
            let tenths = bytes * 10 / 1_048_576
            return "\(tenths / 10).\(tenths % 10)"
        }
        draw("layer \(progress.layer): \(megabytes(progress.written)) / \(megabytes(progress.total)) MiB")
    }

    func clear() {
        draw("")
    }

    private func draw(_ text: String) {
        let line = Array("\r\u{1B}[K\(text)".utf8)
        _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
