import Desktop
import Foundation
import SeededRandom

/// How busy the scene under the minimap is.
public enum MapEffects: String, CaseIterable, Sendable, Codable {
    /// Plain ground, no hard-case frames.
    case none
    /// Fires, water, enemies and their skills, the player's aura; a few hard-case frames a minute.
    case normal
    /// Twice the effects and hard cases.
    case heavy
}

/// Things that happen to a frame; the hard cases a reader must notice.
public enum MapEvent: String, CaseIterable, Sendable, Codable {
    /// A screen-wide flash: the minimap is washed out.
    case flash
    /// A loading screen: no minimap at all.
    case loading
    /// The overlay minimap is toggled off.
    case mapOff
    /// The player was moved to a waypoint (a place visited before) during a loading screen.
    case teleport

    /// True when the frame does not show the minimap as it is (a reader must skip it).
    public var hidesMap: Bool { self != .teleport }
}

/// A direction key the player holds.
public enum MoveKey: String, CaseIterable, Sendable {
    case up, down, left, right

    /// The key for an X keysym name (arrows or WASD), if it moves the player.
    /// The move a key makes: the arrows, or WASD.
    public init?(key: Key) {
        switch key.name.lowercased() {
        case "up", "w": self = .up
        case "down", "s": self = .down
        case "left", "a": self = .left
        case "right", "d": self = .right
        default: return nil
        }
    }
    /// The arrow key's X name.
    /// The arrow key for this move.
    public var arrow: Key {
        switch self {
        case .up: return .up
        case .down: return .down
        case .left: return .left
        case .right: return .right
        }
    }
}

/// The game's state: the player in a layout, the fog of war it has lifted, the things in the
/// scene, and the hard-case events. Not thread-safe: ``MapArena`` guards it.
public final class MapWorld {
    public let layout: MapLayout
    public let effects: MapEffects
    /// Player speed in map pixels per second.
    public var speed: Float = 90
    /// The light radius: semi-axes of the revealed ellipse in map pixels (the game's 140×120 at 4K).
    public let lightRadius = (x: Float(70), y: Float(60))
    public private(set) var player: MapPoint
    public private(set) var time: Double = 0
    /// 1 where the fog is lifted.
    public private(set) var revealed: [UInt8]
    /// Wall and water-line intensity (0-255, with glow) where revealed, 0 elsewhere.
    var visibleWalls: [UInt8], visibleWater: [UInt8]
    let wallGlow: [UInt8], waterGlow: [UInt8]
    public var held: Set<MoveKey> = []
    /// Click-to-move: a route the player follows (map pixels).
    public var route: [MapPoint] = []
    /// Events active now.
    public private(set) var activeEvents: Set<MapEvent> = []
    /// Teleports that happened (time, from, to).
    public private(set) var teleports: [(time: Double, from: MapPoint, to: MapPoint)] = []
    let scene: MapScene
    private var rng: SeededGenerator
    private var nextHardCase: Double
    private var eventEnds: [MapEvent: Double] = [:]
    private var pendingTeleport: MapPoint?
    private var trail: [MapPoint] = []
    /// Whether hard cases happen by themselves (the effects level decides the rate).
    public var hardCases: Bool

    public init(layout: MapLayout, effects: MapEffects, seed: UInt64) {
        self.layout = layout
        self.effects = effects
        player = layout.entrance
        rng = SeededGenerator(seed: seed ^ 0x4D41_5057)
        revealed = [UInt8](repeating: 0, count: layout.width * layout.height)
        visibleWalls = revealed
        visibleWater = revealed
        wallGlow = MapWorld.glow(layout.walls, width: layout.width, height: layout.height)
        waterGlow = MapWorld.glow(layout.waterEdges, width: layout.width, height: layout.height, wide: true)
        scene = MapScene(layout: layout, effects: effects, seed: seed)
        hardCases = effects != .none
        nextHardCase = 12
        reveal(around: player)
    }

    /// A soft line: 255 on the line, falling off over 1-2 pixels (the lines' glow).
    static func glow(_ mask: [UInt8], width: Int, height: Int, wide: Bool = false) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: mask.count)
        let falloff: [UInt8] = wide ? [255, 150, 60] : [255, 110, 35]
        for y in 2..<(height - 2) {
            for x in 2..<(width - 2) where mask[y * width + x] != 0 {
                for dy in -2...2 {
                    for dx in -2...2 {
                        let d = max(abs(dx), abs(dy))
                        let j = (y + dy) * width + x + dx
                        if falloff[d] > out[j] { out[j] = falloff[d] }
                    }
                }
            }
        }
        return out
    }

    /// Lifts the fog within the light radius around `p`.
    func reveal(around p: MapPoint) {
        let w = layout.width
        let h = layout.height
        let x0 = max(0, Int(p.x - lightRadius.x))
        let x1 = min(w - 1, Int(p.x + lightRadius.x) + 1)
        let y0 = max(0, Int(p.y - lightRadius.y))
        let y1 = min(h - 1, Int(p.y + lightRadius.y) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        let ax = 1 / (lightRadius.x * lightRadius.x)
        let ay = 1 / (lightRadius.y * lightRadius.y)
        for y in y0...y1 {
            let dy = Float(y) + 0.5 - p.y
            for x in x0...x1 {
                let dx = Float(x) + 0.5 - p.x
                let i = y * w + x
                if revealed[i] == 0 && dx * dx * ax + dy * dy * ay <= 1 {
                    revealed[i] = 1
                    visibleWalls[i] = wallGlow[i]
                    visibleWater[i] = waterGlow[i]
                }
            }
        }
    }

    /// Lifts the fog everywhere: the whole layout as a fully explored map shows it.
    public func revealAll() {
        for i in revealed.indices {
            revealed[i] = 1
            visibleWalls[i] = wallGlow[i]
            visibleWater[i] = waterGlow[i]
        }
    }

    /// Starts an event now (also used by tests and the truth replay), lasting `duration` seconds.
    public func trigger(_ event: MapEvent, duration: Double) {
        switch event {
        case .teleport:
            // A loading screen, and the player lands on a place visited before, far from here.
            let far = trail.filter { ($0 - player).length > 250 }
            let target = far.randomElement(using: &rng) ?? layout.entrance
            pendingTeleport = target
            activeEvents.insert(.loading)
            eventEnds[.loading] = time + duration
        default:
            activeEvents.insert(event)
            eventEnds[event] = time + duration
        }
    }

    /// Advances the world by `dt` seconds: moves the player (never through walls), lifts the fog,
    /// runs the scene and the hard cases. Returns the events of this frame.
    @discardableResult
    public func step(_ dt: Double) -> Set<MapEvent> {
        time += dt
        activeEvents.remove(.teleport)
        for (e, end) in eventEnds where time >= end {
            activeEvents.remove(e)
            eventEnds[e] = nil
            if e == .loading, let target = pendingTeleport {
                teleports.append((time, player, target))
                player = target
                pendingTeleport = nil
                route = []
                activeEvents.insert(.teleport)
                reveal(around: player)
            }
        }
        if hardCases && time >= nextHardCase {
            let r = rng.nextUniform()
            if r < 0.45 {
                trigger(.flash, duration: 0.15)
            } else if r < 0.75 {
                trigger(.mapOff, duration: 1.6)
            } else {
                trigger(.teleport, duration: 1.5)
            }
            let gap = effects == .heavy ? 10.0 : 20.0
            nextHardCase = time + gap * (0.6 + 0.8 * Double(rng.nextUniform()))
        }
        if !activeEvents.contains(.loading) { move(dt) }
        scene.step(dt, time: time)
        return activeEvents
    }

    private func move(_ dt: Double) {
        var dir = MapPoint(x: 0, y: 0)
        if held.contains(.left) { dir.x -= 1 }
        if held.contains(.right) { dir.x += 1 }
        if held.contains(.up) { dir.y -= 1 }
        if held.contains(.down) { dir.y += 1 }
        if dir.length == 0, let next = route.first {
            let d = next - player
            if d.length < 3 { route.removeFirst() } else { dir = d }
        }
        let len = dir.length
        guard len > 0 else { return }
        var remaining = speed * Float(dt)
        let unit = dir * (1 / len)
        while remaining > 0 {
            let stepLength = min(remaining, 1.5)
            remaining -= stepLength
            let full = player + unit * stepLength
            if layout.isWalkable(full) {
                player = full
            } else if layout.isWalkable(MapPoint(x: full.x, y: player.y)) {
                player.x = full.x
            } else if layout.isWalkable(MapPoint(x: player.x, y: full.y)) {
                player.y = full.y
            } else {
                break
            }
        }
        if trail.last.map({ ($0 - player).length > 40 }) ?? true { trail.append(player) }
        reveal(around: player)
    }
}
