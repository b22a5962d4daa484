import Foundation

/// A kill switch: a global hotkey that no agent can disable. When pressed it trips every watched
/// ``FocusBinding`` (all later input is refused), releases every key and button any device holds,
/// and calls the stop handlers — within milliseconds of the key press.
public final class KillSwitch: InputGuard, @unchecked Sendable {
    /// The default combination, Ctrl+Alt+K.
    public static let defaultCombo = KeyCombo(modifiers: [.control, .alt], key: Key(canonicalName: "k"))

    public let combo: KeyCombo
    private let hotkeys: HotkeyCenter
    private let lock = NSLock()
    private var bindings: [FocusBinding] = []
    private var stopHandlers: [@Sendable () -> Void] = []
    private var tripped = false

    /// Registers `combo` on `hotkeys` (which the switch then owns and stops).
    public init(hotkeys: HotkeyCenter, combo: KeyCombo = KillSwitch.defaultCombo) throws {
        self.combo = combo
        self.hotkeys = hotkeys
        // Stop the listening thread before giving up (it must not outlive a half-made switch).
        do { try hotkeys.register(combo) { [weak self] in self?.trip() } } catch {
            hotkeys.stop()
            throw error
        }
    }

    /// Watches `binding` (it is killed when the switch trips).
    public func watch(_ binding: FocusBinding) { lock.withLock { bindings.append(binding) } }

    /// Calls `handler` when the switch trips.
    public func onTrip(_ handler: @escaping @Sendable () -> Void) { lock.withLock { stopHandlers.append(handler) } }

    public var isTripped: Bool { lock.withLock { tripped } }

    /// Refuses every action once tripped (a guard for devices without a focus binding).
    public func check(_ action: InputAction) throws {
        if isTripped { throw DesktopError.refused(action, .killSwitch) }
    }

    /// Trips the switch (the hotkey does this; code may too).
    public func trip() {
        let (bs, hs) = lock.withLock { () -> ([FocusBinding], [@Sendable () -> Void]) in
            tripped = true
            return (bindings, stopHandlers)
        }
        for b in bs { b.kill() }
        InputSafety.releaseEverything()
        for h in hs { h() }
    }

    /// Stops listening for the hotkey.
    public func stop() { hotkeys.stop() }
}
