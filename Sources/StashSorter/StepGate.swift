import Desktop
import Foundation

/// Step mode's gate: each press of a global hotkey lets exactly one click through, so a person
/// stays in control of every action (one action per key press).
public final class StepGate: @unchecked Sendable {
    private let hotkeys: HotkeyCenter
    private let presses = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false
    public let combo: KeyCombo

    /// The default step key, Ctrl+Alt+S.
    public static let defaultCombo = KeyCombo(modifiers: [.control, .alt], key: Key(canonicalName: "s"))

    /// Registers `combo` on `hotkeys` (which the gate then owns and stops).
    public init(hotkeys: HotkeyCenter, combo: KeyCombo = StepGate.defaultCombo) throws {
        self.combo = combo
        self.hotkeys = hotkeys
        try hotkeys.register(combo) { [weak self] in self?.presses.signal() }
    }

    /// Blocks until the hotkey is pressed; throws once ``stop()`` was called.
    public func wait() throws {
        presses.wait()
        lock.lock()
        defer { lock.unlock() }
        if stopped { throw DesktopError.refused(nil, .stopped("step mode stopped")) }
    }

    /// Wakes a waiting click and refuses all later ones.
    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        presses.signal()
        hotkeys.stop()
    }
}
