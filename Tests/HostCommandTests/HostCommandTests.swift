import CharonSupport
import Glibc
import HostCommand
import TestSupport
import Testing

/// Running host tools: output and exit codes as the tool gave them, one readable line when it
/// fails, and a child environment that holds only what tools need.
@Suite("host commands")
struct HostCommandTests {
    @Test("stdout, stderr and the exit code are collected; run never throws for a non-zero exit")
    func collectsOutput() async throws {
        let output = try await HostCommand(executable: "sh").run(["-c", "echo out; echo err >&2; exit 3"])
        #expect(output.exitCode == 3 && !output.succeeded)
        #expect(output.standardOutput == "out\n")
        #expect(output.standardError == "err\n")
    }

    @Test("stream hands over each line as it comes and returns the exit code")
    func streamsLines() async throws {
        var lines: [String] = []
        let code = try await HostCommand(executable: "sh").stream(["-c", "echo one; echo two >&2; echo three; exit 4"]) { lines.append($0) }
        #expect(code == 4)
        #expect(lines == ["one", "three"], "stdout only, line by line")
    }

    @Test("a stream's task cancelled stops the tool", .timeLimit(.minutes(1)))
    func cancellingAStreamStopsTheTool() async throws {
        let scratch = try TemporaryDirectory()
        let pidFile = "\(scratch.path)/pid"
        let task = Task {
            try await HostCommand(executable: "sh").stream(["-c", "echo $$ > \(pidFile); echo ready; exec sleep 600"]) { _ in }
        }
        #expect(await eventually { POSIXIO.exists(pidFile) && !((try? POSIXIO.readFile(pidFile)) ?? []).isEmpty })
        let pid = pid_t(String(decoding: try POSIXIO.readFile(pidFile), as: UTF8.self).trimmingWhitespace()) ?? 0
        #expect(pid > 0)
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(await eventually { kill(pid, 0) != 0 }, "the tool is gone once the stream returns")
    }

    @Test("check returns stdout on success, and fails with the last non-blank stderr line")
    func checkNamesTheCause() async throws {
        let shell = HostCommand(executable: "/bin/sh")
        #expect(try await shell.check(["-c", "printf ok"]) == "ok")
        let failure = await #expect(throws: HostCommand.Failure.self) {
            try await shell.check(["-c", "echo 'goroutine 1 [running]:' >&2; echo 'ctr: no space left on device' >&2; echo '  ' >&2; exit 1"])
        }
        #expect(failure?.description == "/bin/sh: ctr: no space left on device")
        let silent = await #expect(throws: HostCommand.Failure.self) { try await shell.check(["-c", "exit 7"]) }
        #expect(silent?.reason == "exited with status 7")
    }

    @Test("a tool killed by a signal reports 128 + the signal, as shells do")
    func signalled() async throws {
        let output = try await HostCommand(executable: "sh").run(["-c", "kill -TERM $$"])
        #expect(output.exitCode == 128 + 15)
    }

    @Test("a tool that cannot start is a Failure naming it, not a crash")
    func cannotStart() async throws {
        let failure = await #expect(throws: HostCommand.Failure.self) {
            _ = try await HostCommand(executable: "charon-no-such-tool").run([])
        }
        #expect(failure?.command == "charon-no-such-tool")
        #expect(failure?.reason.hasPrefix("could not run") == true)
    }

    @Test("output over the limit is an error, not an unbounded buffer")
    func outputLimit() async throws {
        await #expect(throws: HostCommand.Failure.self) {
            _ = try await HostCommand(executable: "head").run(["-c", "100000", "/dev/zero"], outputLimit: 1_000)
        }
    }

    @Test("the minimal environment keeps PATH, HOME, TMPDIR and the locale, and nothing else")
    func minimalEnvironment() {
        let parent = [
            "PATH": "/opt/bin", "HOME": "/root", "TMPDIR": "/scratch", "LANG": "C.UTF-8", "LC_ALL": "C", "TZ": "UTC",
            "HEADSCALE_API_KEY": "hskey-SECRET", "CLOUDFLARE_API_TOKEN": "cf-SECRET", "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        ]
        let child = HostCommand.minimalEnvironment(from: parent, adding: ["NOTIFY": "1"])
        #expect(child == ["PATH": "/opt/bin", "HOME": "/root", "TMPDIR": "/scratch", "LANG": "C.UTF-8", "LC_ALL": "C", "TZ": "UTC", "NOTIFY": "1"])
        #expect(HostCommand.minimalEnvironment(from: ["PATH": ""])["PATH"]?.hasPrefix("/usr/local/sbin:") == true, "an empty PATH gets the default")
    }

    @Test("the child really gets the minimal environment plus what the caller adds")
    func childSeesTheMinimalSet() async throws {
        let output = try await HostCommand(executable: "env", environment: ["CHARON_ADDED": "yes"]).check([])
        let names = Set(output.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        let expected = Set(HostCommand.minimalEnvironment(from: ProcessEnvironment.current, adding: ["CHARON_ADDED": "yes"]).keys)
        #expect(names == expected)
        #expect(output.contains("CHARON_ADDED=yes\n"))
    }

    @Test("lastLine skips trailing blank lines; nil when there is nothing")
    func lastLine() {
        #expect(HostCommand.lastLine(of: "first\nsecond\n\n  \n") == "second")
        #expect(HostCommand.lastLine(of: "\n \n") == nil)
    }
}
