/// One input event of the real user, as recorded.
public struct InputEvent: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case keyDown, keyUp, buttonDown, buttonUp }
    public var kind: Kind
    /// Key name (X keysym name, e.g. `Up`, `a`) for key events; `button N` for buttons.
    public var name: String
    /// Monotonic seconds when PixelPilot received it.
    public var timestamp: Double

    public init(kind: Kind, name: String, timestamp: Double) { self.kind = kind; self.name = name; self.timestamp = timestamp }
    public var description: String { "\(kind.rawValue) \(name)" }
}

/// A record of input events that can say which keys were held at any instant, to label frames.
public struct InputTimeline: Sendable {
    public private(set) var events: [InputEvent] = []
    public init(events: [InputEvent] = []) { self.events = events.sorted { $0.timestamp < $1.timestamp } }

    public mutating func append(_ e: InputEvent) {
        if let last = events.last, last.timestamp > e.timestamp {
            let i = events.firstIndex { $0.timestamp > e.timestamp } ?? events.count
            events.insert(e, at: i)
        } else {
            events.append(e)
        }
    }

    /// Keys and buttons held at monotonic time `t` (events at exactly `t` count).
    public func held(at t: Double) -> Set<String> {
        var s = Set<String>()
        for e in events {
            if e.timestamp > t { break }
            switch e.kind {
            case .keyDown, .buttonDown: s.insert(e.name)
            case .keyUp, .buttonUp: s.remove(e.name)
            }
        }
        return s
    }
}
