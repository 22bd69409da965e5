import Dispatch
import Synchronization

/// Hands bytes to the next stage on its own thread, so reading and tarring (this thread) overlap
/// with compressing, hashing and writing (the worker), the way `tar | gzip | tee` overlaps on
/// several cores.
///
/// Bytes are batched into chunks; at most `depth` chunks are in flight, so memory stays bounded
/// (`depth × chunkSize`) however large the layer is. The first error of the worker is thrown from
/// the next ``write(_:)`` or from ``finish()``.
///
/// ```swift
/// let pipeline = PipelinedSink(next: compressor)
/// try pipeline.write(bytes)   // returns once the chunk is queued
/// try pipeline.finish()       // waits for the worker, rethrows its error
/// ```
final class PipelinedSink: ByteSink, @unchecked Sendable {
    private let next: any ByteSink
    private let chunkSize: Int
    private let queue = DispatchQueue(label: "charon.layer.pipeline")
    private let slots: DispatchSemaphore
    private var pending: [UInt8] = []
    private let failure = Mutex<(any Error)?>(nil)

    init(next: any ByteSink, chunkSize: Int = 1 << 20, depth: Int = 4) {
        self.next = next
        self.chunkSize = chunkSize
        self.slots = DispatchSemaphore(value: depth)
        pending.reserveCapacity(chunkSize)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let error = failure.withLock({ $0 }) { throw error }
        var offset = 0
        while offset < bytes.count {
            let count = min(chunkSize - pending.count, bytes.count - offset)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
            offset += count
            if pending.count == chunkSize { hand() }
        }
    }

    /// Sends what is pending, waits until the worker has written everything, rethrows its error.
    func finish() throws {
        hand()
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private func hand() {
        guard !pending.isEmpty else { return }
        let chunk = pending
        pending = []
        pending.reserveCapacity(chunkSize)
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 == nil }) else { return }
            do {
                try chunk.withUnsafeBytes { try next.write($0) }
            } catch {
                failure.withLock { $0 = error }
            }
        }
    }
}
