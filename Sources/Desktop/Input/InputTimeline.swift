/// A record of input events that can say which keys and buttons were held at any instant, to
/// label frames.
public struct InputTimeline: Sendable, Codable {
    public private(set) var events: [TimedInputEvent] = []

    public init(events: [TimedInputEvent] = []) {
        self.events = events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(
            \.element)
    }

    /// Adds an event, keeping the timeline ordered by time (events with equal times keep their
    /// arrival order).
    public mutating func append(_ e: TimedInputEvent) {
        if let last = events.last, last.time > e.time {
            let i = events.firstIndex { $0.time > e.time } ?? events.count
            events.insert(e, at: i)
        } else {
            events.append(e)
        }
    }

    /// Keys and buttons held at time `t` (events at exactly `t` count).
    public func held(at t: MonotonicTime) -> Set<HeldInput> {
        var s = Set<HeldInput>()
        for e in events {
            if e.time > t { break }
            s.apply(e.event)
        }
        return s
    }
}
