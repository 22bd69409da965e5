/// Collects bytes in memory (tar headers, tests).
final class MemorySink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ buffer: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: buffer)
    }
}
