import CX11
import Foundation

/// Global hotkeys through `XGrabKey` on the root window (grabbed with and without Num Lock and
/// Caps Lock, so they work in either state). Handlers run on a background queue.
public final class X11Hotkeys: @unchecked Sendable {
    private let connection: X11Connection
    private let lock = NSLock()
    private var bindings: [(keycode: UInt32, modifiers: UInt32, combo: String, handler: @Sendable () -> Void)] = []
    private var running = true
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "pixelpilot.hotkeys")

    /// Opens its own connection to `displayName` and starts listening.
    public init(displayName: String?) throws {
        connection = try X11Connection(name: displayName)
        let t = Thread { [unowned self] in self.listen() }
        t.name = "pixelpilot.hotkeys"
        thread = t
        t.start()
    }

    deinit { stop() }

    static let lockMasks: [UInt32] = [0, UInt32(LockMask), UInt32(Mod2Mask), UInt32(LockMask | Mod2Mask)]

    /// Parses "ctrl+alt+q" into a keycode and modifier mask.
    func parse(_ combo: String) throws -> (UInt32, UInt32) {
        var mods: UInt32 = 0
        var key: String?
        for part in combo.split(separator: "+").map({ $0.lowercased() }) {
            switch part {
            case "ctrl", "control": mods |= UInt32(ControlMask)
            case "shift": mods |= UInt32(ShiftMask)
            case "alt": mods |= UInt32(Mod1Mask)
            case "super", "win": mods |= UInt32(Mod4Mask)
            default:
                guard key == nil else { throw DesktopError.unknownKey("hotkey '\(combo)' names two keys") }
                key = part
            }
        }
        guard let key, let sym = KeyNames.keysym(key), sym != 0 else {
            throw DesktopError.unknownKey("hotkey '\(combo)' has no valid key (e.g. ctrl+alt+q, F12)")
        }
        let code = connection.locked { UInt32(XKeysymToKeycode(connection.display, sym)) }
        guard code != 0 else { throw DesktopError.unknownKey("hotkey key '\(key)' is not on this keyboard map") }
        return (code, mods)
    }

    /// Calls `handler` whenever `combo` (e.g. "ctrl+alt+q") is pressed anywhere.
    public func register(_ combo: String, handler: @escaping @Sendable () -> Void) throws {
        let (code, mods) = try parse(combo)
        let err = connection.locked {
            connection.checked {
                for extra in X11Hotkeys.lockMasks {
                    XGrabKey(connection.display, Int32(code), mods | extra, connection.root, 1, GrabModeAsync, GrabModeAsync)
                }
            }
        }
        guard err == 0 else {
            throw DesktopError.failed("hotkey '\(combo)' is already taken by another program (X error \(err))")
        }
        lock.lock(); bindings.append((code, mods, combo, handler)); lock.unlock()
    }

    /// Stops listening and releases the grabs.
    public func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning else { return }
        done.wait()
        connection.locked {
            XUngrabKey(connection.display, Int32(AnyKey), UInt32(AnyModifier), connection.root)
            XSync(connection.display, 0)
        }
    }

    private func listen() {
        defer { done.signal() }
        var event = XEvent()
        let relevant = UInt32(ShiftMask | ControlMask | Mod1Mask | Mod4Mask)
        while true {
            lock.lock(); let go = running; lock.unlock()
            if !go { return }
            let got: Bool = connection.locked { XPending(connection.display) > 0 && { XNextEvent(connection.display, &event); return true }() }
            if !got { _ = connection.waitForEvents(timeout: 0.02); continue }
            guard event.type == KeyPress else { continue }
            let code = UInt32(event.xkey.keycode), state = event.xkey.state & relevant
            lock.lock()
            let matches = bindings.filter { $0.keycode == code && $0.modifiers == state }
            lock.unlock()
            for b in matches { queue.async(execute: b.handler) }
        }
    }
}

/// A kill switch: a global hotkey that no agent can disable. When pressed it trips every
/// registered ``FocusBinding`` (all later input is refused), releases every key and button any
/// device holds, and calls the stop handlers — within milliseconds of the key press.
public final class KillSwitch: @unchecked Sendable {
    public let combo: String
    private let hotkeys: X11Hotkeys
    private let lock = NSLock()
    private var bindings: [FocusBinding] = []
    private var stopHandlers: [@Sendable () -> Void] = []
    private var tripped = false

    public init(displayName: String?, combo: String = "ctrl+alt+k") throws {
        self.combo = combo
        hotkeys = try X11Hotkeys(displayName: displayName)
        // Stop the listening thread before giving up (it must not outlive a half-made switch).
        do { try hotkeys.register(combo) { [weak self] in self?.trip() } } catch { hotkeys.stop(); throw error }
    }

    /// Watches `binding` (it is killed when the switch trips).
    public func watch(_ binding: FocusBinding) { lock.lock(); bindings.append(binding); lock.unlock() }

    /// Calls `handler` when the switch trips.
    public func onTrip(_ handler: @escaping @Sendable () -> Void) { lock.lock(); stopHandlers.append(handler); lock.unlock() }

    public var isTripped: Bool { lock.lock(); defer { lock.unlock() }; return tripped }

    /// Trips the switch (the hotkey does this; code may too).
    public func trip() {
        lock.lock()
        tripped = true
        let bs = bindings, hs = stopHandlers
        lock.unlock()
        for b in bs { b.kill() }
        InputSafety.releaseEverything()
        for h in hs { h() }
    }

    public func stop() { hotkeys.stop() }
}
