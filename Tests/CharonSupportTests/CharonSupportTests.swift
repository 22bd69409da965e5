import CharonSupport
import Glibc
import Testing

@Suite("RFC 3339")
struct RFC3339Tests {
    @Test func formatsAndParsesUTC() {
        #expect(RFC3339.format(epochSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.parse("1970-01-01T00:01:00Z") == .init(seconds: 60, microseconds: 0))
        #expect(RFC3339.parse(RFC3339.format(epochSeconds: 1_795_000_000))?.seconds == 1_795_000_000)
    }

    @Test func readsFractionsAndOffsets() {
        #expect(RFC3339.parse("1970-01-01T00:00:01.123456789Z") == .init(seconds: 1, microseconds: 123_456))
        #expect(RFC3339.parse("1970-01-01T00:00:00.5Z") == .init(seconds: 0, microseconds: 500_000))
        #expect(RFC3339.parse("1970-01-01T01:00:00+01:00")?.seconds == 0)
        #expect(RFC3339.parse("1969-12-31T23:00:00-01:00")?.seconds == 0)
    }

    @Test func refusesWhatIsNotATime() {
        for text in [
            "", "1970-01-01", "1970-01-01T00:00:00", "1970-13-01T00:00:00Z", "1970-01-01T24:00:00Z", "1970-01-01T00:00:00.Z",
            "1970-01-01T00:00:00+0100", "1970-01-01 00:00:00Z", "1970-01-01T00:00:00Zjunk",
        ] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
    }
}

@Suite("Text")
struct TrimmingTests {
    @Test func trimsSpacesTabsAndNewlinesAtBothEnds() {
        #expect(" \t tag:web \n".trimmingWhitespace() == "tag:web")
        #expect("a b".trimmingWhitespace() == "a b")
        #expect(" \n ".trimmingWhitespace() == "")
        #expect("".trimmingWhitespace() == "")
        #expect("x, y".split(separator: ",")[1].trimmingWhitespace() == "y")
    }
}

@Suite("Temporary files")
struct TemporaryFilesTests {
    @Test func aFolderAndAFileArePrivateUniqueAndRemoved() throws {
        let folder = try TemporaryFiles.makeFolder(prefix: "charon-support-test")
        defer { TemporaryFiles.removeTree(folder) }
        var info = stat()
        #expect(stat(folder, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        let (fd, path) = try TemporaryFiles.makeFile(prefix: "scratch-", suffix: ".conf", in: folder)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0, "no child inherits it by accident")
        close(fd)
        #expect(path.hasPrefix("\(folder)/scratch-") && path.hasSuffix(".conf"))
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let (other, otherPath) = try TemporaryFiles.makeFile(prefix: "scratch-", suffix: ".conf", in: folder)
        close(other)
        #expect(otherPath != path)
        try POSIXIO.makeDirectories("\(folder)/a/b")
        #expect(symlink("/", "\(folder)/a/root") == 0)
        TemporaryFiles.removeTree(folder)
        #expect(!POSIXIO.exists(folder))
        #expect(POSIXIO.exists("/etc"), "the symlink was removed, not followed")
    }

    @Test func aMissingFolderIsASystemError() {
        #expect(throws: SystemError.self) { try TemporaryFiles.makeFolder(prefix: "x", in: "/nonexistent-charon-folder") }
    }
}

@Suite("Process environment")
struct ProcessEnvironmentTests {
    @Test func readsWhatSetenvWrote() {
        setenv("CHARON_SUPPORT_TEST_VARIABLE", "a=b", 1)
        defer { unsetenv("CHARON_SUPPORT_TEST_VARIABLE") }
        #expect(ProcessEnvironment.current["CHARON_SUPPORT_TEST_VARIABLE"] == "a=b")
    }
}
