import CX11
import Foundation

/// Mouse and keyboard injection through the XTEST extension: the X11 backend of ``InputDevice``.
///
/// It sends each action at once; pauses, rate limits, guards and logs are ``SafeInputDevice``'s.
/// It remembers what it holds and releases it all in ``releaseAll()``, when it is deallocated,
/// when the process receives SIGINT or SIGTERM (``InputSafety``), and, through its
/// ``InputGuardian`` child process, when the process dies in any other way (a crash, SIGKILL).
public final class X11InputDevice: InputDevice, @unchecked Sendable {
    public let connection: X11Connection
    private var heldKeys: [Key: UInt32] = [:]
    private var heldButtons: Set<MouseButton> = []
    private let lock = NSRecursiveLock()
    private let guardian: InputGuardian?

    /// - Parameter guardian: start the guardian process (on by default; turn it off only where
    ///   another process already guarantees release).
    public init(connection: X11Connection, guardian: Bool = true) throws {
        guard connection.hasExtension("XTEST") else {
            throw DesktopError.missingExtension("XTEST", neededFor: "input injection")
        }
        self.connection = connection
        self.guardian = guardian ? try InputGuardian(displayName: connection.name) : nil
        InputSafety.register(self)
    }

    deinit {
        releaseAll()
        InputSafety.unregister(self)
    }

    public var held: Set<HeldInput> {
        lock.withLock { Set(heldKeys.keys.map(HeldInput.key) + heldButtons.map(HeldInput.button)) }
    }

    /// The keycode for a key, or an error naming the key.
    public func keycode(_ key: Key) throws -> UInt32 {
        let sym = XStringToKeysym(key.name)
        guard sym != 0 else { throw DesktopError.unknownKey(key.name) }
        let code = connection.locked { XKeysymToKeycode(connection.display, sym) }
        guard code != 0 else { throw DesktopError.unknownKey(key.name) }
        return UInt32(code)
    }

    public func perform(_ action: InputAction) throws {
        switch action {
        case .move(let p):
            send { XTestFakeMotionEvent(connection.display, -1, Int32(p.x), Int32(p.y), 0) }
        case .input(.button(let b, let down)):
            try lock.withLock {
                // The guardian hears of a press before the server and of a release after it, so
                // it always knows at least what the server holds.
                if down { try guardian?.tell(button: b.rawValue, down: true) }
                send { XTestFakeButtonEvent(connection.display, UInt32(b.rawValue), down ? 1 : 0, 0) }
                if down {
                    heldButtons.insert(b)
                } else {
                    heldButtons.remove(b)
                    try guardian?.tell(button: b.rawValue, down: false)
                }
            }
        case .input(.key(let k, let down)):
            let code = try keycode(k)
            try lock.withLock {
                if down { try guardian?.tell(keycode: code, down: true) }
                send { XTestFakeKeyEvent(connection.display, code, down ? 1 : 0, 0) }
                if down {
                    heldKeys[k] = code
                } else {
                    heldKeys[k] = nil
                    try guardian?.tell(keycode: code, down: false)
                }
            }
        case .scroll(let steps):
            let button: UInt32 = steps < 0 ? 4 : 5
            send {
                for _ in 0..<abs(steps) {
                    XTestFakeButtonEvent(connection.display, button, 1, 0)
                    XTestFakeButtonEvent(connection.display, button, 0, 0)
                }
            }
        case .text(let text):
            try type(text)
        }
    }

    private func send(_ body: () -> Void) {
        connection.locked {
            body()
            XFlush(connection.display)
        }
    }

    /// Types text character by character (Shift where the keyboard map needs it).
    private func type(_ text: String) throws {
        for ch in text {
            let sym = KeySym(Self.keysym(for: ch))
            let code = connection.locked { XKeysymToKeycode(connection.display, sym) }
            guard code != 0 else { throw DesktopError.unknownKey(String(ch)) }
            let unshifted = connection.locked { XkbKeycodeToKeysym(connection.display, code, 0, 0) }
            let shift = unshifted != sym
            if shift { try perform(.input(.key(.shift, down: true))) }
            try perform(.input(.key(Key(canonicalName: keysymName(sym)), down: true)))
            try perform(.input(.key(Key(canonicalName: keysymName(sym)), down: false)))
            if shift { try perform(.input(.key(.shift, down: false))) }
        }
    }

    private func keysymName(_ sym: KeySym) -> String { XKeysymToString(sym).map { String(cString: $0) } ?? "" }

    /// The keysym for a character (Latin-1 directly, others as Unicode keysyms).
    static func keysym(for ch: Character) -> UInt {
        if ch == "\n" { return UInt(XK_Return) }
        guard let scalar = ch.unicodeScalars.first else { return 0 }
        return scalar.value < 0x100 ? UInt(scalar.value) : 0x0100_0000 + UInt(scalar.value)
    }

    public func releaseAll() {
        lock.withLock {
            guard !heldKeys.isEmpty || !heldButtons.isEmpty else { return }
            // A server that went away holds nothing any more (and would never answer the sync).
            if connection.isAlive {
                connection.locked {
                    for (_, code) in heldKeys { XTestFakeKeyEvent(connection.display, code, 0, 0) }
                    for b in heldButtons { XTestFakeButtonEvent(connection.display, UInt32(b.rawValue), 0, 0) }
                    XSync(connection.display, 0)
                }
            }
            for (_, code) in heldKeys { try? guardian?.tell(keycode: code, down: false) }
            for b in heldButtons { try? guardian?.tell(button: b.rawValue, down: false) }
            heldKeys.removeAll()
            heldButtons.removeAll()
        }
    }
}
