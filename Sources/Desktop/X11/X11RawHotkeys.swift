import Foundation

/// Hotkeys that grab nothing: combinations are recognised in the XInput2 raw key stream, which
/// reaches every client that asks for it even while another program holds a grab. The key press
/// also reaches the focused window. Used when a combination is already grabbed (another PixelPilot
/// agent's kill switch on the same display), so every agent still has a working kill switch.
public final class X11RawHotkeys: HotkeyCenter, @unchecked Sendable {
    private let recorder: X11InputRecorder
    private let lock = NSLock()
    private var bindings: [(combo: KeyCombo, handler: @Sendable () -> Void)] = []
    private var held = Set<Key>()
    private let queue = DispatchQueue(label: "pixelpilot.raw-hotkeys")

    public init(displayName: String?) throws {
        recorder = try X11InputRecorder(displayName: displayName)
        recorder.onEvent = { [weak self] e in self?.handle(e.event) }
    }

    deinit { recorder.stop() }

    private func handle(_ event: InputEvent) {
        guard case .key(let key, let down) = event else { return }
        let fire = lock.withLock { () -> [@Sendable () -> Void] in
            guard down else {
                held.remove(key)
                return []
            }
            held.insert(key)
            return bindings.filter { b in
                b.combo.key == key && b.combo.modifiers.allSatisfy { m in held.contains { X11RawHotkeys.same($0, m) } }
            }.map(\.handler)
        }
        for h in fire { queue.async(execute: h) }
    }

    /// Left and right modifiers count as the same modifier.
    static func same(_ a: Key, _ b: Key) -> Bool {
        guard a != b else { return true }
        let base = { (k: Key) in k.name.replacingOccurrences(of: "_R", with: "_L") }
        return a.isModifier && b.isModifier && base(a) == base(b)
    }

    public func register(_ combo: KeyCombo, handler: @escaping @Sendable () -> Void) throws {
        lock.withLock { bindings.append((combo, handler)) }
    }

    public func stop() { recorder.stop() }
}

/// Global hotkeys that grab their combinations when they can and fall back to the raw key
/// stream (``X11RawHotkeys``) for a combination another program already holds.
public final class X11SharedHotkeys: HotkeyCenter, @unchecked Sendable {
    private let displayName: String?
    private let grabbed: X11Hotkeys
    private let lock = NSLock()
    private var raw: X11RawHotkeys?

    public init(displayName: String?) throws {
        self.displayName = displayName
        grabbed = try X11Hotkeys(displayName: displayName)
    }

    public func register(_ combo: KeyCombo, handler: @escaping @Sendable () -> Void) throws {
        do {
            try grabbed.register(combo, handler: handler)
        } catch DesktopError.hotkeyTaken {
            let r = try lock.withLock { () throws -> X11RawHotkeys in
                if let raw { return raw }
                let r = try X11RawHotkeys(displayName: displayName)
                raw = r
                return r
            }
            try r.register(combo, handler: handler)
        }
    }

    public func stop() {
        grabbed.stop()
        lock.withLock { raw }?.stop()
    }
}
