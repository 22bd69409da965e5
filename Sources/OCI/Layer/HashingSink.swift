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
