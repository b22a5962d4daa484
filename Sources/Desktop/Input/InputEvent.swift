/// Something that can be held down: a key or a mouse button.
public enum HeldInput: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    case key(Key)
    case button(MouseButton)

    public var description: String {
        switch self {
        case .key(let k): return k.name
        case .button(let b): return "button \(b)"
        }
    }

    public static func < (a: HeldInput, b: HeldInput) -> Bool {
        switch (a, b) {
        case (.key(let x), .key(let y)): return x < y
        case (.button(let x), .button(let y)): return x < y
        case (.key, .button): return true
        case (.button, .key): return false
        }
    }
}

/// A key or button going down or up: what the recorder sees and what devices send.
public enum InputEvent: Hashable, Sendable, Codable, CustomStringConvertible {
    case key(Key, down: Bool)
    case button(MouseButton, down: Bool)

    /// What went down or up.
    public var input: HeldInput {
        switch self {
        case .key(let k, _): return .key(k)
        case .button(let b, _): return .button(b)
        }
    }

    /// True for a press, false for a release.
    public var isDown: Bool {
        switch self {
        case .key(_, let d), .button(_, let d): return d
        }
    }

    public var description: String { "\(input) \(isDown ? "down" : "up")" }
}

/// An input event and when it happened.
public struct TimedInputEvent: Hashable, Sendable, Codable, CustomStringConvertible {
    public var event: InputEvent
    public var time: MonotonicTime

    public init(_ event: InputEvent, at time: MonotonicTime) {
        self.event = event
        self.time = time
    }

    public var description: String { "\(time) \(event)" }
}

extension Set where Element == HeldInput {
    /// Applies one event to a set of held inputs.
    public mutating func apply(_ event: InputEvent) {
        if event.isDown { insert(event.input) } else { remove(event.input) }
    }
}
