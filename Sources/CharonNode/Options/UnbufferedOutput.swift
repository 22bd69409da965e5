import Glibc

/// `print(…, to:)` target that writes straight to stderr or stdout, with no buffer: an error is out
/// before the exit, and a long-running command's lines reach a pipe (kubelet's log) as they happen.
struct UnbufferedOutput: TextOutputStream {
    /// The file descriptor written to.
    var descriptor: Int32

    static var standardError: UnbufferedOutput { UnbufferedOutput(descriptor: 2) }
    static var standardOutput: UnbufferedOutput { UnbufferedOutput(descriptor: 1) }

    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }
}
