import CharonSupport

/// Where a stage of the layer pipeline pushes its bytes.
///
/// ```swift
/// final class CountingSink: ByteSink {
///     var count = 0
///     func write(_ bytes: UnsafeRawBufferPointer) throws { count += bytes.count }
/// }
/// let blob = try LayerWriter(compression: .none, modificationTime: 0).write(plan.entries, to: CountingSink())
/// ```
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension AtomicFile: ByteSink {}
