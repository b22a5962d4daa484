import Desktop
import Foundation

/// Step mode's gate: each press of a global hotkey lets exactly one click through, so a person
/// stays in control of every action (one action per key press).
public final class StepGate: @unchecked Sendable {
    private let hotkeys: X11Hotkeys
    private let presses = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false
    public let combo: String

    public init(displayName: String, combo: String = "ctrl+alt+s") throws {
        self.combo = combo
        hotkeys = try X11Hotkeys(displayName: displayName)
        try hotkeys.register(combo) { [weak self] in self?.presses.signal() }
    }

    /// Blocks until the hotkey is pressed; throws once ``stop()`` was called.
    public func wait() throws {
        presses.wait()
        lock.lock(); defer { lock.unlock() }
        if stopped { throw DesktopError.refused("step mode stopped") }
    }

    /// Wakes a waiting click and refuses all later ones.
    public func stop() {
        lock.lock(); stopped = true; lock.unlock()
        presses.signal()
        hotkeys.stop()
    }
}
