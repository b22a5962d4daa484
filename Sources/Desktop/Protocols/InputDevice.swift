/// Mouse buttons.
public enum MouseButton: Int, Sendable, CaseIterable {
    case left = 1, middle = 2, right = 3

    public init?(name: String) {
        switch name.lowercased() {
        case "left", "1": self = .left
        case "middle", "2": self = .middle
        case "right", "3": self = .right
        default: return nil
        }
    }
}

/// Timing rules every injected action obeys.
public struct InputTiming: Sendable {
    /// Pause after moving the pointer (the seed waits 50 ms before pressing).
    public var afterMove: Double = 0.05
    /// Pause between a button or key going down and up.
    public var holdDown: Double = 0.05
    /// Pause after a button or key goes up.
    public var afterRelease: Double = 0.05
    /// At most this many actions (moves, downs, ups) per second.
    public var maxActionsPerSecond: Double = 60

    public init(afterMove: Double = 0.05, holdDown: Double = 0.05, afterRelease: Double = 0.05, maxActionsPerSecond: Double = 60) {
        self.afterMove = afterMove; self.holdDown = holdDown; self.afterRelease = afterRelease
        self.maxActionsPerSecond = maxActionsPerSecond
    }

    /// No pauses and no rate limit (tests, benchmarks).
    public static let immediate = InputTiming(afterMove: 0, holdDown: 0, afterRelease: 0, maxActionsPerSecond: .infinity)
}

/// Synthetic mouse and keyboard input. Implementations remember what they hold and release it
/// all in ``releaseAll()`` (also called when they stop, however they stop).
public protocol InputDevice: AnyObject {
    var timing: InputTiming { get set }
    func move(x: Int, y: Int) throws
    func buttonDown(_ button: MouseButton) throws
    func buttonUp(_ button: MouseButton) throws
    func scroll(dy: Int) throws
    func keyDown(_ name: String) throws
    func keyUp(_ name: String) throws
    func type(_ text: String) throws
    /// Keys and buttons currently held by this device.
    var held: Set<String> { get }
    /// Releases every held key and button.
    func releaseAll()
}

extension InputDevice {
    /// Moves to (x, y) and clicks with the seed's split timing: move, wait, down, wait, up, wait.
    public func click(x: Int, y: Int, button: MouseButton = .left) throws {
        try move(x: x, y: y)
        try buttonDown(button)
        try buttonUp(button)
    }

    /// Presses and releases a key (with modifiers: "ctrl+c").
    public func tap(_ combo: String) throws {
        let keys = combo.split(separator: "+").map(String.init)
        for k in keys { try keyDown(k) }
        for k in keys.reversed() { try keyUp(k) }
    }
}
