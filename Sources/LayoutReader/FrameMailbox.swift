import Foundation

/// The seed's one-slot mailbox: a writer replaces the value, a reader waits for the newest. When
/// the reader falls behind, older values are dropped (and counted), never queued.
public final class FrameMailbox<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?
    private var closed = false
    /// Values replaced before anyone read them.
    public private(set) var dropped = 0

    public init() {}

    /// Puts `v`, replacing an unread value.
    public func put(_ v: Value) {
        condition.lock()
        if value != nil { dropped += 1 }
        value = v
        condition.signal()
        condition.unlock()
    }

    /// Waits for a value (nil once closed and empty).
    public func take() -> Value? {
        condition.lock()
        defer { condition.unlock() }
        while value == nil && !closed { condition.wait() }
        let v = value
        value = nil
        return v
    }

    /// Wakes the reader; later `take`s return what is left, then nil.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
