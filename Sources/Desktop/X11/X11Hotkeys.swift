import CX11
import Foundation

/// Global hotkeys through `XGrabKey` on the root window (grabbed with and without Num Lock and
/// Caps Lock, so they work in either state). Handlers run on a background queue.
public final class X11Hotkeys: HotkeyCenter, @unchecked Sendable {
    private struct Binding {
        var keycode: UInt32
        var modifiers: UInt32
        var handler: @Sendable () -> Void
    }

    private let connection: X11Connection
    private let lock = NSLock()
    private var bindings: [Binding] = []
    private var stopped = false
    private let loop: X11EventLoop
    private let queue = DispatchQueue(label: "pixelpilot.hotkeys")

    /// Opens its own connection to `displayName` and starts listening.
    public init(displayName: String?) throws {
        connection = try X11Connection(name: displayName)
        loop = X11EventLoop(connection: connection, name: "pixelpilot.hotkeys")
        let relevant = UInt32(ShiftMask | ControlMask | Mod1Mask | Mod4Mask)
        loop.start { [weak self] event in
            guard let self, event.type == KeyPress else { return }
            let code = UInt32(event.xkey.keycode)
            let state = event.xkey.state & relevant
            let matches = self.lock.withLock { self.bindings.filter { $0.keycode == code && $0.modifiers == state } }
            for b in matches { self.queue.async(execute: b.handler) }
        }
    }

    deinit { stop() }

    static let lockMasks: [UInt32] = [0, UInt32(LockMask), UInt32(Mod2Mask), UInt32(LockMask | Mod2Mask)]

    /// The X modifier mask of a modifier key.
    static func mask(_ key: Key) -> UInt32 {
        switch key.name {
        case "Control_L", "Control_R": return UInt32(ControlMask)
        case "Shift_L", "Shift_R": return UInt32(ShiftMask)
        case "Alt_L", "Alt_R", "Meta_L", "Meta_R": return UInt32(Mod1Mask)
        default: return UInt32(Mod4Mask)
        }
    }

    public func register(_ combo: KeyCombo, handler: @escaping @Sendable () -> Void) throws {
        let mods = combo.modifiers.reduce(UInt32(0)) { $0 | X11Hotkeys.mask($1) }
        let sym = XStringToKeysym(combo.key.name)
        let code = connection.locked { UInt32(XKeysymToKeycode(connection.display, sym)) }
        guard sym != 0, code != 0 else { throw DesktopError.unknownKey(combo.key.name) }
        let err = connection.locked {
            connection.checked {
                for extra in X11Hotkeys.lockMasks {
                    XGrabKey(
                        connection.display, Int32(code), mods | extra, connection.root, 1, GrabModeAsync, GrabModeAsync)
                }
            }
        }
        guard err == 0 else { throw DesktopError.hotkeyTaken(combo) }
        lock.withLock { bindings.append(Binding(keycode: code, modifiers: mods, handler: handler)) }
    }

    /// Stops listening and releases the grabs.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        loop.stop()
        guard connection.isAlive else { return }
        connection.locked {
            XUngrabKey(connection.display, Int32(AnyKey), UInt32(AnyModifier), connection.root)
            XSync(connection.display, 0)
        }
    }
}

extension KillSwitch {
    /// A kill switch on `displayName`'s global hotkeys (its own X connection). When another
    /// program already grabbed the combination (another agent's kill switch), it watches the raw
    /// key stream instead, so it still trips.
    public convenience init(displayName: String?, combo: KeyCombo = KillSwitch.defaultCombo) throws {
        try self.init(hotkeys: try X11SharedHotkeys(displayName: displayName), combo: combo)
    }
}
