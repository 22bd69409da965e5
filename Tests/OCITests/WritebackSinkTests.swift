import CharonSupport
import Glibc
import TestSupport
import Testing

@testable import OCI

@Suite("Writeback while streaming")
struct WritebackSinkTests {
    @Test func bytesPassThroughUnchangedWhateverTheWritebackPoints() throws {
        let scratch = try TemporaryDirectory()
        let path = "\(scratch.path)/out.bin"
        let file = try AtomicFile(destination: path)
        let header = [UInt8](repeating: 7, count: 512)
        try file.write(header)
        // Odd chunk sizes and a small interval: writeback points fall mid-chunk and mid-page.
        let sink = WritebackSink(file: file, interval: 16 << 10)
        var expected = header
        for index in 0..<100 {
            let chunk = (0..<3001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            try chunk.withUnsafeBytes { try sink.write($0) }
            expected += chunk
        }
        sink.startWriteback()
        try file.write([1, 2, 3], at: 0)  // back-filling a header after writeback started
        expected.replaceSubrange(0..<3, with: [1, 2, 3])
        #expect(file.size == Int64(expected.count))
        try file.commit()
        #expect(try POSIXIO.readFile(path) == expected)
    }

    @Test(arguments: [AtomicFile.Durability.durable, .dataBeforeRename, .renameOnly])
    func everyDurabilityLeavesTheWholeFileAndNoTemporary(durability: AtomicFile.Durability) throws {
        let scratch = try TemporaryDirectory()
        let path = "\(scratch.path)/record.json"
        try AtomicFile.write(Array("old".utf8), to: path)
        try AtomicFile.write(Array("new contents".utf8), to: path, mode: 0o640, durability: durability)
        try POSIXIO.syncDirectory(scratch.path)
        #expect(try POSIXIO.readFile(path) == Array("new contents".utf8))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o640)
        #expect(try POSIXIO.listDirectory(scratch.path) == ["record.json"])
    }

    @Test func syncingAMissingFolderIsAnError() {
        #expect(throws: SystemError.self) { try POSIXIO.syncDirectory("/nonexistent-charon-folder") }
    }
}
