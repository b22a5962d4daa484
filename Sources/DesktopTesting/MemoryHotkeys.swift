import Desktop
import Foundation

/// Hotkeys held in memory: ``press(_:)`` runs the handlers of a combination, as a key press
/// would, synchronously on the caller's thread.
public final class MemoryHotkeys: HotkeyCenter, @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [KeyCombo: [@Sendable () -> Void]] = [:]
    private var stopped = false

    public init() {}

    public func register(_ combo: KeyCombo, handler: @escaping @Sendable () -> Void) throws {
        try lock.withLock {
            if stopped { throw DesktopError.refused(nil, .stopped("hotkeys were stopped")) }
            handlers[combo, default: []].append(handler)
        }
    }

    /// Presses `combo`: runs its handlers now. Returns how many ran.
    @discardableResult
    public func press(_ combo: KeyCombo) -> Int {
        let hs = lock.withLock { stopped ? [] : handlers[combo] ?? [] }
        for h in hs { h() }
        return hs.count
    }

    /// The combinations registered.
    public var registered: Set<KeyCombo> { lock.withLock { Set(handlers.keys) } }

    public func stop() {
        lock.withLock {
            stopped = true
            handlers.removeAll()
        }
    }
}
