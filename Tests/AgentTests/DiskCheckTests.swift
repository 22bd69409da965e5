import Agent
import TestSupport
import Testing

@Suite("Disk check")
struct DiskCheckTests {
    @Test func passesWithRoomAndFailsWhenTheThresholdIsAboveFreeSpace() async throws {
        let scratch = try TemporaryDirectory()
        let fine = await DiskCheck(tarball: "\(scratch.path)/image.tar", minimumFreeBytes: 1).run()
        #expect(fine.ok)
        #expect(fine.reason == "DiskSpaceAvailable")
        #expect(fine.message.contains("free in \(scratch.path)"))
        let full = await DiskCheck(tarball: "\(scratch.path)/image.tar", minimumFreeBytes: Int64.max / 2).run()
        #expect(!full.ok)
        #expect(full.reason == "DiskSpaceLow")
    }

    @Test func aMissingFolderIsAFailureNotACrash() async {
        let result = await DiskCheck(tarball: "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/image.tar").run()
        #expect(!result.ok)
        #expect(result.reason == "DiskUnreadable")
    }
}
