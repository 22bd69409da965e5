import CharonSupport
import Glibc

/// Runs `executable` with `arguments` (the test's environment and output) and blocks until it
/// exits: for a `defer` or a synchronous helper, where nothing can be awaited. Returns the exit
/// status as a shell reports it (128 + the signal when killed); throws when it cannot start.
///
/// ```swift
/// let status = try runToCompletion("/usr/bin/install", ["-m", "755", "-T", source, destination])
/// ```
public func runToCompletion(_ executable: String, _ arguments: [String]) throws -> Int32 {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let result = posix_spawn(&pid, executable, nil, nil, argv, environ)
    guard result == 0 else { throw SystemError(operation: "posix_spawn", path: executable, code: result) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    return SpawnedProcess.exitCode(status)
}
