/// A point in map pixels (half of the 4K minimap's scale, the scale the seed's models use).
public struct MapPoint: Sendable, Equatable, Codable {
    public var x: Float, y: Float
    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
    public static func + (a: MapPoint, b: MapPoint) -> MapPoint { MapPoint(x: a.x + b.x, y: a.y + b.y) }
    public static func - (a: MapPoint, b: MapPoint) -> MapPoint { MapPoint(x: a.x - b.x, y: a.y - b.y) }
    public static func * (a: MapPoint, s: Float) -> MapPoint { MapPoint(x: a.x * s, y: a.y * s) }
    public var length: Float { (x * x + y * y).squareRoot() }
}

/// One of the nine layouts of the arena's area (as the seed's *Act 1: The Coast* has nine). Each
/// class fixes the macro structure (main corridors, open regions, landmarks, the exit relative to
/// the entrance); ``MapLayoutGenerator`` varies the details per seed.
public enum LayoutClass: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case eastRun = 0
    case northLoop, fork, zigzag, lakeside, hub, shoreline, uTurn, twinRooms

    public var description: String {
        switch self {
        case .eastRun: return "east-run"
        case .northLoop: return "north-loop"
        case .fork: return "fork"
        case .zigzag: return "zigzag"
        case .lakeside: return "lakeside"
        case .hub: return "hub"
        case .shoreline: return "shoreline"
        case .uTurn: return "u-turn"
        case .twinRooms: return "twin-rooms"
        }
    }

    /// Parses an id ("3") or a name ("zigzag").
    public init?(argument: String) {
        if let n = Int(argument), let c = LayoutClass(rawValue: n) {
            self = c
            return
        }
        guard let c = LayoutClass.allCases.first(where: { $0.description == argument.lowercased() }) else { return nil }
        self = c
    }

    /// The fixed macro structure, in unit coordinates of the map (x right, y down).
    var blueprint: LayoutBlueprint {
        typealias B = LayoutBlueprint
        func p(_ x: Float, _ y: Float) -> MapPoint { MapPoint(x: x, y: y) }
        switch self {
        case .eastRun:
            return B(
                entrance: p(0.06, 0.5), exit: p(0.94, 0.45), waypoint: p(0.5, 0.55),
                corridors: [
                    ([p(0.06, 0.5), p(0.25, 0.42), p(0.42, 0.58), p(0.6, 0.5), p(0.78, 0.38), p(0.94, 0.45)], 26)
                ],
                rooms: [(p(0.5, 0.55), 90)], lakes: [], blocks: [])
        case .northLoop:
            return B(
                entrance: p(0.5, 0.94), exit: p(0.5, 0.06), waypoint: p(0.2, 0.5),
                corridors: [
                    ([p(0.5, 0.94), p(0.5, 0.78), p(0.22, 0.62), p(0.2, 0.36), p(0.5, 0.22), p(0.5, 0.06)], 24),
                    ([p(0.5, 0.78), p(0.78, 0.62), p(0.8, 0.36), p(0.5, 0.22)], 22),
                ],
                rooms: [(p(0.5, 0.22), 50)], lakes: [], blocks: [])
        case .fork:
            return B(
                entrance: p(0.06, 0.45), exit: p(0.92, 0.85), waypoint: p(0.4, 0.45),
                corridors: [
                    ([p(0.06, 0.45), p(0.4, 0.45)], 28),
                    ([p(0.4, 0.45), p(0.6, 0.2), p(0.82, 0.16)], 24),
                    ([p(0.4, 0.45), p(0.62, 0.7), p(0.92, 0.85)], 24),
                ],
                rooms: [(p(0.84, 0.16), 85), (p(0.4, 0.45), 45)], lakes: [], blocks: [])
        case .zigzag:
            return B(
                entrance: p(0.08, 0.08), exit: p(0.92, 0.92), waypoint: p(0.5, 0.5),
                corridors: [
                    ([p(0.08, 0.08), p(0.85, 0.2), p(0.15, 0.42), p(0.85, 0.62), p(0.2, 0.8), p(0.92, 0.92)], 22)
                ],
                rooms: [], lakes: [], blocks: [])
        case .lakeside:
            return B(
                entrance: p(0.5, 0.94), exit: p(0.1, 0.1), waypoint: p(0.82, 0.4),
                corridors: [
                    ([p(0.5, 0.94), p(0.78, 0.75), p(0.84, 0.4), p(0.6, 0.12), p(0.1, 0.1)], 26),
                    ([p(0.84, 0.45), p(0.55, 0.5)], 20),
                ],
                rooms: [(p(0.45, 0.5), 230)], lakes: [(p(0.4, 0.52), 170)], blocks: [])
        case .hub:
            return B(
                entrance: p(0.06, 0.5), exit: p(0.5, 0.06), waypoint: p(0.5, 0.5),
                corridors: [
                    ([p(0.06, 0.5), p(0.5, 0.5)], 24), ([p(0.5, 0.5), p(0.5, 0.06)], 22),
                    ([p(0.5, 0.5), p(0.92, 0.5)], 22), ([p(0.5, 0.5), p(0.5, 0.92)], 22),
                ],
                rooms: [(p(0.5, 0.5), 120), (p(0.9, 0.5), 55), (p(0.5, 0.9), 55)], lakes: [], blocks: [])
        case .shoreline:
            return B(
                entrance: p(0.5, 0.05), exit: p(0.55, 0.95), waypoint: p(0.35, 0.5),
                corridors: [
                    ([p(0.5, 0.05), p(0.35, 0.25), p(0.3, 0.5), p(0.35, 0.75), p(0.55, 0.95)], 48),
                    ([p(0.3, 0.5), p(0.75, 0.45)], 20),
                ],
                rooms: [(p(0.76, 0.45), 60)], lakes: [(p(0.02, 0.5), 420)], blocks: [])
        case .uTurn:
            return B(
                entrance: p(0.08, 0.9), exit: p(0.08, 0.12), waypoint: p(0.88, 0.5),
                corridors: [
                    ([p(0.08, 0.9), p(0.6, 0.85), p(0.88, 0.65), p(0.88, 0.35), p(0.6, 0.15), p(0.08, 0.12)], 26)
                ],
                rooms: [(p(0.88, 0.5), 80)], lakes: [], blocks: [(p(0.45, 0.5), 150)])
        case .twinRooms:
            return B(
                entrance: p(0.94, 0.5), exit: p(0.06, 0.5), waypoint: p(0.28, 0.5),
                corridors: [
                    ([p(0.94, 0.5), p(0.72, 0.5)], 24), ([p(0.72, 0.5), p(0.5, 0.3), p(0.28, 0.5)], 14),
                    ([p(0.28, 0.5), p(0.06, 0.5)], 24),
                ],
                rooms: [(p(0.72, 0.5), 140), (p(0.28, 0.5), 140)], lakes: [], blocks: [])
        }
    }
}

/// The macro structure of a layout class, in unit map coordinates (radii and widths in map pixels).
struct LayoutBlueprint {
    var entrance: MapPoint, exit: MapPoint, waypoint: MapPoint
    /// Main corridors: polylines and their half-width.
    var corridors: [([MapPoint], Float)]
    /// Open regions: centre and radius.
    var rooms: [(MapPoint, Float)]
    /// Water bodies carved out of the ground (their shore is drawn as water lines, not walls).
    var lakes: [(MapPoint, Float)]
    /// Cliff blocks carved out of the ground.
    var blocks: [(MapPoint, Float)]
}
