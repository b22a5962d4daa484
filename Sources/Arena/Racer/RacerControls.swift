import Desktop

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

    /// Every control with its arrow key, in the seed's column order [up, left, right, down]: the one list of the
    /// racer's keys.
    public static let arrows: [(control: RacerControls, key: Key)] = [
        (.up, .up), (.left, .left), (.right, .right), (.down, .down),
    ]

    /// The arrow keys' X keysym names in the seed's order (`Up`, `Left`, `Right`, `Down`): the key columns that
    /// recordings, truth files and policies store.
    public static var keyNames: [String] { arrows.map(\.key.name) }

    /// The controls held in a set of X keysym names (`Up`, `Left`, `Right`, `Down`; others ignored).
    public init(keys: Set<String>) {
        var c = RacerControls()
        for (control, key) in RacerControls.arrows where keys.contains(key.name) { c.insert(control) }
        self = c
    }

    /// The arrow keys of the held controls, in the seed's order.
    public var heldKeys: [Key] { RacerControls.arrows.filter { contains($0.control) }.map(\.key) }

    /// The X keysym names of the held controls, in the seed's order.
    public var keys: [String] { heldKeys.map(\.name) }

    public var description: String { keys.isEmpty ? "none" : keys.joined(separator: "+") }
}
