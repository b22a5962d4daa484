/// The four arrow keys a racer is driven with (the seed's rally game uses these only).
public struct RacerControls: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Up arrow: throttle.
    public static let up = RacerControls(rawValue: 1)
    /// Left arrow: steer left.
    public static let left = RacerControls(rawValue: 2)
    /// Right arrow: steer right.
    public static let right = RacerControls(rawValue: 4)
    /// Down arrow: brake, then reverse once stopped.
    public static let down = RacerControls(rawValue: 8)

    /// Every control with its X keysym name, in the seed's column order [up, left, right, down].
    public static let keyNames: [(RacerControls, String)] = [
        (.up, "Up"), (.left, "Left"), (.right, "Right"), (.down, "Down"),
    ]

    /// The controls held in a set of X keysym names (`Up`, `Left`, `Right`, `Down`; others ignored).
    public init(keys: Set<String>) {
        var c = RacerControls()
        for (control, name) in RacerControls.keyNames where keys.contains(name) { c.insert(control) }
        self = c
    }

    /// The X keysym names of the held controls, in the seed's order.
    public var keys: [String] { RacerControls.keyNames.filter { contains($0.0) }.map(\.1) }

    public var description: String { keys.isEmpty ? "none" : keys.joined(separator: "+") }
}
