import Foundation

/// A one-slot mailbox for async code: `put` replaces an unread value (and returns it, so the
/// caller can tell its sender it was superseded), `take` waits for the newest; after `close`,
/// `take` returns what is left, then nil.
final class AsyncSlot<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var waiter: CheckedContinuation<Value?, Never>?
    private var closed = false

    /// Puts `v`; returns the value it replaced, if any.
    @discardableResult
    func put(_ v: Value) -> Value? {
        lock.lock()
        if closed {
            lock.unlock()
            return v
        }
        if let w = waiter {
            waiter = nil
            lock.unlock()
            w.resume(returning: v)
            return nil
        }
        let old = value
        value = v
        lock.unlock()
        return old
    }

    /// Waits for a value; nil once closed, or when the task is cancelled.
    func take() async -> Value? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Value?, Never>) in
                lock.lock()
                if let v = value {
                    value = nil
                    lock.unlock()
                    c.resume(returning: v)
                } else if closed || Task.isCancelled {
                    lock.unlock()
                    c.resume(returning: nil)
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let w = waiter
            waiter = nil
            lock.unlock()
            w?.resume(returning: nil)
        }
    }

    /// Wakes a waiting `take` with nil and refuses later values; returns an unread value.
    @discardableResult
    func close() -> Value? {
        lock.lock()
        closed = true
        let w = waiter
        waiter = nil
        let left = value
        value = nil
        lock.unlock()
        w?.resume(returning: nil)
        return left
    }
}
