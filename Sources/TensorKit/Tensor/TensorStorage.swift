import Foundation

/// A contiguous, heap-allocated buffer of `Float` values that backs a ``Tensor``.
///
/// Buffers are recycled through ``BufferPool`` so that steady-state training and inference
/// loops do not hit the system allocator for every intermediate result.
public final class TensorStorage: @unchecked Sendable {
    /// Number of `Float` elements in the buffer.
    public let count: Int
    /// The first element. Valid for `count` elements while the storage is alive.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates storage for `count` elements. The contents are undefined.
    init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
    }

    /// Allocates storage for `count` elements set to zero.
    convenience init(zeroedCount count: Int) {
        self.init(uninitializedCount: count)
        if count > 0 { pointer.initialize(repeating: 0, count: count) }
    }

    deinit {
        BufferPool.shared.give(pointer, count: count)
    }
}

/// A process-wide cache of freed tensor buffers, bucketed by exact element count.
///
/// Training and inference repeat the same shapes every step, so exact-size buckets hit almost
/// always. The pool holds at most ``capacityBytes`` bytes; beyond that buffers are freed.
public final class BufferPool: @unchecked Sendable {
    public static let shared = BufferPool()

    private var buckets: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var heldBytes = 0
    private let lock = NSLock()
    /// Upper bound on cached bytes.
    public var capacityBytes = 512 << 20

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = Swift.max(count, 1)
        lock.lock()
        if var list = buckets[n], let p = list.popLast() {
            buckets[n] = list
            heldBytes -= n * 4
            lock.unlock()
            return p
        }
        lock.unlock()
        return UnsafeMutablePointer<Float>.allocate(capacity: n)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let n = Swift.max(count, 1)
        lock.lock()
        if heldBytes + n * 4 <= capacityBytes && n >= 16 {
            buckets[n, default: []].append(pointer)
            heldBytes += n * 4
            lock.unlock()
        } else {
            lock.unlock()
            pointer.deallocate()
        }
    }

    /// Frees every cached buffer.
    public func drain() {
        lock.lock()
        for (_, list) in buckets { for p in list { p.deallocate() } }
        buckets.removeAll()
        heldBytes = 0
        lock.unlock()
    }
}
