import CX11
import Foundation

/// Mouse and keyboard injection through the XTEST extension.
///
/// Every action waits for ``InputTiming`` (minimum pauses and a rate limit). The device records
/// what it holds and releases it all in ``releaseAll()``, when it is deallocated, and when the
/// process receives SIGINT or SIGTERM (see ``InputSafety``).
public final class X11InputDevice: InputDevice, @unchecked Sendable {
    public let connection: X11Connection
    public var timing: InputTiming
    /// Called before every action; throw to refuse it (focus binding, kill switch).
    public var guardAction: ((InputAction) throws -> Void)?
    public private(set) var held: Set<String> = []
    private var heldKeys: [String: UInt32] = [:]
    private var heldButtons: Set<Int> = []
    private var lastAction = 0.0
    private let lock = NSRecursiveLock()
    /// Every action performed, for dry runs and logs: "move 10 20", "down left", ...
    public private(set) var log: [String] = []
    /// When true nothing is sent: actions are only logged (a dry run).
    public var dryRun = false

    public init(connection: X11Connection, timing: InputTiming = InputTiming()) throws {
        guard connection.hasExtension("XTEST") else {
            throw DesktopError.missingExtension("the X server on \(connection.name) lacks the XTEST extension, which input injection needs")
        }
        self.connection = connection
        self.timing = timing
        InputSafety.register(self)
    }

    deinit {
        releaseAll()
        InputSafety.unregister(self)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func pace() {
        guard timing.maxActionsPerSecond.isFinite, timing.maxActionsPerSecond > 0 else { return }
        let gap = 1 / timing.maxActionsPerSecond
        let wait = lastAction + gap - X11InputDevice.now()
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        lastAction = X11InputDevice.now()
    }

    private func pause(_ seconds: Double) { if seconds > 0 && !dryRun { Thread.sleep(forTimeInterval: seconds) } }

    private func perform(_ action: InputAction, _ body: () -> Void) throws {
        try lock.withLock {
            try guardAction?(action)
            pace()
            log.append(action.description)
            if !dryRun {
                connection.locked { body(); XFlush(connection.display) }
            }
        }
    }

    public func move(x: Int, y: Int) throws {
        try perform(.move(x: x, y: y)) { XTestFakeMotionEvent(connection.display, -1, Int32(x), Int32(y), 0) }
        pause(timing.afterMove)
    }

    public func buttonDown(_ button: MouseButton) throws {
        try perform(.buttonDown(button)) { XTestFakeButtonEvent(connection.display, UInt32(button.rawValue), 1, 0) }
        lock.withLock { heldButtons.insert(button.rawValue); held.insert("button \(button)") }
        pause(timing.holdDown)
    }

    public func buttonUp(_ button: MouseButton) throws {
        try perform(.buttonUp(button)) { XTestFakeButtonEvent(connection.display, UInt32(button.rawValue), 0, 0) }
        lock.withLock { heldButtons.remove(button.rawValue); held.remove("button \(button)") }
        pause(timing.afterRelease)
    }

    public func scroll(dy: Int) throws {
        let button: UInt32 = dy < 0 ? 4 : 5
        for _ in 0..<abs(dy) {
            try perform(.scroll(dy < 0 ? -1 : 1)) {
                XTestFakeButtonEvent(connection.display, button, 1, 0)
                XTestFakeButtonEvent(connection.display, button, 0, 0)
            }
            pause(timing.afterRelease)
        }
    }

    /// The keycode for a key name, or an error naming the key.
    public func keycode(_ name: String) throws -> UInt32 {
        guard let sym = KeyNames.keysym(name), sym != 0 else {
            throw DesktopError.unknownKey("unknown key name '\(name)' (use letters, digits, F1-F24, Return, Escape, space, Up, ctrl, alt, shift, ...)")
        }
        let code = connection.locked { XKeysymToKeycode(connection.display, sym) }
        guard code != 0 else { throw DesktopError.unknownKey("key '\(name)' has no key on this keyboard map") }
        return UInt32(code)
    }

    public func keyDown(_ name: String) throws {
        let code = try keycode(name)
        try perform(.keyDown(name)) { XTestFakeKeyEvent(connection.display, code, 1, 0) }
        lock.withLock { heldKeys[name] = code; held.insert("key \(name)") }
        pause(timing.holdDown)
    }

    public func keyUp(_ name: String) throws {
        let code = try keycode(name)
        try perform(.keyUp(name)) { XTestFakeKeyEvent(connection.display, code, 0, 0) }
        lock.withLock { heldKeys[name] = nil; held.remove("key \(name)") }
        pause(timing.afterRelease)
    }

    /// Types text character by character (Shift where the keyboard map needs it).
    public func type(_ text: String) throws {
        for ch in text {
            let name = ch == " " ? "space" : ch == "\n" ? "Return" : String(ch)
            let code = try keycode(name)
            let sym = KeyNames.keysym(name) ?? 0
            let unshifted = connection.locked { XkbKeycodeToKeysym(connection.display, KeyCode(code), 0, 0) }
            let needsShift = unshifted != sym
            if needsShift { try keyDown("shift") }
            try keyDown(name)
            try keyUp(name)
            if needsShift { try keyUp("shift") }
        }
    }

    /// Releases every held key and button, ignoring guards (it must always be allowed).
    public func releaseAll() {
        lock.withLock {
            guard !heldKeys.isEmpty || !heldButtons.isEmpty else { return }
            if !dryRun {
                connection.locked {
                    for (_, code) in heldKeys { XTestFakeKeyEvent(connection.display, code, 0, 0) }
                    for b in heldButtons { XTestFakeButtonEvent(connection.display, UInt32(b), 0, 0) }
                    XSync(connection.display, 0)
                }
            }
            log.append("release all (\(held.sorted().joined(separator: ", ")))")
            heldKeys.removeAll()
            heldButtons.removeAll()
            held.removeAll()
        }
    }
}

/// Releases the held input of every live device when the process is interrupted or terminated,
/// then exits with the conventional status (130 for SIGINT, 143 for SIGTERM).
public enum InputSafety {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var devices: [ObjectIdentifier: Weak] = [:]
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private final class Weak { weak var device: X11InputDevice?; init(_ d: X11InputDevice) { device = d } }

    static func register(_ d: X11InputDevice) {
        lock.lock(); defer { lock.unlock() }
        devices[ObjectIdentifier(d)] = Weak(d)
        if sources.isEmpty {
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                s.setEventHandler {
                    releaseEverything()
                    exit(sig == SIGINT ? 130 : 143)
                }
                s.resume()
                sources.append(s)
            }
        }
    }

    static func unregister(_ d: X11InputDevice) {
        lock.lock(); defer { lock.unlock() }
        devices[ObjectIdentifier(d)] = nil
    }

    /// Releases everything every live device holds (the kill switch's last step).
    public static func releaseEverything() {
        lock.lock()
        let live = devices.values.compactMap(\.device)
        lock.unlock()
        for d in live { d.releaseAll() }
    }
}
