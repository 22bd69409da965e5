import CArchive
import CharonSupport

/// A libarchive write handle whose output goes to a ``ByteSink``, with errors from the sink
/// carried back across the C callback instead of being flattened into "write failed".
final class LibArchiveWriter {
    let handle: OpaquePointer
    private let context: CallbackContext

    /// Boxes the sink and the first error it threw, for the C write callback.
    final class CallbackContext {
        let sink: any ByteSink
        var error: (any Error)?
        init(sink: any ByteSink) { self.sink = sink }
    }

    /// - Parameter configure: sets format and filters on the fresh handle before it is opened.
    init(sink: any ByteSink, configure: (OpaquePointer) throws -> Void) throws {
        guard let handle = archive_write_new() else { throw LayerWriteError.libarchive("archive_write_new failed") }
        self.handle = handle
        self.context = CallbackContext(sink: sink)
        do {
            try configure(handle)
            // Unblocked output: every header and data chunk reaches the sink immediately, and no
            // padding is added past the format's own end-of-archive marker.
            archive_write_set_bytes_per_block(handle, 0)
            archive_write_set_bytes_in_last_block(handle, 1)
            let opaque = Unmanaged.passUnretained(context).toOpaque()
            let status = archive_write_open(
                handle,
                opaque,
                nil,
                { _, context, buffer, length in
                    let box = Unmanaged<CallbackContext>.fromOpaque(context!).takeUnretainedValue()
                    do {
                        try box.sink.write(UnsafeRawBufferPointer(start: buffer, count: length))
                        return la_ssize_t(length)
                    } catch {
                        if box.error == nil { box.error = error }
                        return -1
                    }
                },
                nil
            )
            try check(status, "open")
        } catch {
            archive_write_free(handle)
            throw error
        }
    }

    deinit {
        archive_write_free(handle)
    }

    /// Turns a libarchive status into an error, preferring the sink's own error when it caused it.
    func check(_ status: Int32, _ action: String) throws {
        guard status < ARCHIVE_WARN else { return }
        if let error = context.error { throw error }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "unknown error"
        throw LayerWriteError.libarchive("\(action): \(message)")
    }

    func writeData(_ buffer: UnsafeRawBufferPointer) throws {
        guard buffer.count > 0 else { return }
        let written = archive_write_data(handle, buffer.baseAddress, buffer.count)
        if written < 0 { try check(Int32(written), "write data") }
        guard written == buffer.count else {
            if let error = context.error { throw error }
            throw LayerWriteError.libarchive("short write inside libarchive")
        }
    }

    /// Flushes filters and writes the end-of-archive marker.
    func close() throws {
        try check(archive_write_close(handle), "close")
    }

    /// Marks the handle failed so freeing it writes nothing more.
    func abandon() {
        archive_write_fail(handle)
    }
}
