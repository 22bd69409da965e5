import CharonSupport

/// Where a stage of the layer pipeline pushes its bytes.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension AtomicFile: ByteSink {}

/// A sink that hashes what passes through and forwards it, counting bytes.
final class HashingSink: ByteSink {
    private(set) var hasher = DigestHasher()
    private let next: any ByteSink

    init(next: any ByteSink) {
        self.next = next
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        try next.write(bytes)
    }
}

/// Collects bytes in memory (tar headers, tests).
final class MemorySink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ buffer: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: buffer)
    }
}
