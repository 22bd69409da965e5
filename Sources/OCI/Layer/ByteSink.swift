import CharonSupport

/// Where a stage of the layer pipeline pushes its bytes.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension AtomicFile: ByteSink {}
