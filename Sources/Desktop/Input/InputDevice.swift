/// Synthetic mouse and keyboard input: a backend sends each ``InputAction`` as it comes.
///
/// Backends (X11's `X11InputDevice`, `DesktopTesting`'s `MemoryInputDevice`) remember what they
/// hold and release it all in ``releaseAll()``. Safety and pacing live in ``SafeInputDevice``, a
/// decorator over any backend, so focus binding, dry runs, rate limits and logs work the same
/// everywhere.
public protocol InputDevice: AnyObject {
    /// Sends one action.
    func perform(_ action: InputAction) throws
    /// Keys and buttons currently held by this device.
    var held: Set<HeldInput> { get }
    /// Releases every held key and button. Always allowed; never throws.
    func releaseAll()
}

extension InputDevice {
    /// Moves the pointer to `point`.
    public func move(to point: ScreenPoint) throws { try perform(.move(to: point)) }
    /// Presses `key`.
    public func press(_ key: Key) throws { try perform(.input(.key(key, down: true))) }
    /// Releases `key`.
    public func release(_ key: Key) throws { try perform(.input(.key(key, down: false))) }
    /// Presses `button`.
    public func press(_ button: MouseButton) throws { try perform(.input(.button(button, down: true))) }
    /// Releases `button`.
    public func release(_ button: MouseButton) throws { try perform(.input(.button(button, down: false))) }
    /// Turns the wheel by `steps` (negative: up).
    public func scroll(by steps: Int) throws { try perform(.scroll(steps)) }
    /// Types `text` character by character.
    public func type(_ text: String) throws { try perform(.text(text)) }

    /// Moves to `point` and clicks: move, down, up (the pauses between are the decorator's).
    public func click(at point: ScreenPoint, button: MouseButton = .left) throws {
        try move(to: point)
        try press(button)
        try release(button)
    }

    /// Presses a combination's modifiers and key, then releases them in reverse order.
    public func tap(_ combo: KeyCombo) throws {
        for m in combo.modifiers { try press(m) }
        try press(combo.key)
        try release(combo.key)
        for m in combo.modifiers.reversed() { try release(m) }
    }

    /// Holds a combination down (modifiers first).
    public func hold(_ combo: KeyCombo) throws {
        for m in combo.modifiers { try press(m) }
        try press(combo.key)
    }

    /// Releases a held combination (key first).
    public func letGo(_ combo: KeyCombo) throws {
        try release(combo.key)
        for m in combo.modifiers.reversed() { try release(m) }
    }
}

/// Timing rules every injected action obeys.
public struct InputTiming: Sendable, Equatable {
    /// Pause after moving the pointer (the seed waits 50 ms before pressing).
    public var afterMove: Double = 0.05
    /// Pause between a button or key going down and up.
    public var holdDown: Double = 0.05
    /// Pause after a button or key goes up.
    public var afterRelease: Double = 0.05
    /// At most this many actions (moves, downs, ups) per second.
    public var maxActionsPerSecond: Double = 60

    public init(
        afterMove: Double = 0.05, holdDown: Double = 0.05, afterRelease: Double = 0.05, maxActionsPerSecond: Double = 60
    ) {
        self.afterMove = afterMove
        self.holdDown = holdDown
        self.afterRelease = afterRelease
        self.maxActionsPerSecond = maxActionsPerSecond
    }

    /// The same pause after moves, downs and ups.
    public static func pauses(_ seconds: Double, maxActionsPerSecond: Double) -> InputTiming {
        InputTiming(
            afterMove: seconds, holdDown: seconds, afterRelease: seconds, maxActionsPerSecond: maxActionsPerSecond)
    }

    /// No pauses and no rate limit (tests, benchmarks).
    public static let immediate = InputTiming(
        afterMove: 0, holdDown: 0, afterRelease: 0, maxActionsPerSecond: .infinity)

    /// The pause after `action`.
    func pause(after action: InputAction) -> Double {
        switch action {
        case .move: return afterMove
        case .input(let e): return e.isDown ? holdDown : afterRelease
        case .scroll, .text: return afterRelease
        }
    }
}

/// Decides whether an action may be injected now (focus binding, kill switch).
public protocol InputGuard: AnyObject, Sendable {
    /// Throws ``DesktopError/refused(_:_:)`` when `action` must not be injected now.
    func check(_ action: InputAction) throws
}
