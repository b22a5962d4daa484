import Foundation
import SeededRandom
import Imaging

/// A scripted explorer that walks plausible routes from the entrance as a player would: into side
/// branches, to the waypoint and the exit, and back, over and over. It decides which direction
/// keys to hold; ``MapAutoplay`` presses them through XTest, the benchmark applies them directly.
public final class MapExplorer {
    public let layout: MapLayout
    let grid: WalkableGrid
    private var goals: [MapPoint] = []
    private var route: [MapPoint] = []
    private var rng: SeededGenerator
    private var lastProgress: (time: Double, at: MapPoint) = (0, MapPoint(x: 0, y: 0))
    private var last: MapPoint?
    /// No reroute before this game time (set when one found no reachable goal).
    private var retryAt = -Double.infinity
    /// The goal being walked to.
    public private(set) var goal: MapPoint?

    public init(layout: MapLayout, seed: UInt64) throws {
        self.layout = layout
        grid = try WalkableGrid(
            mask: layout.walkable, width: layout.width, height: layout.height, cell: 4, clearance: 5)
        rng = SeededGenerator(seed: seed ^ 0xE4B1)
    }

    /// The next round of goals: some branches, the waypoint, the exit, a branch, back to the entrance.
    private func plan() {
        var branches = layout.branchEnds.shuffled(using: &rng)
        var round: [MapPoint] = []
        if let b = branches.popLast() { round.append(b) }
        round.append(layout.waypoint)
        if let b = branches.popLast() { round.append(b) }
        round.append(layout.exit)
        if let b = branches.popLast() { round.append(b) }
        round.append(layout.entrance)
        goals += round
    }

    /// Goals tried in one reroute before the explorer gives up for a while: eight rounds' worth.
    public static let maximumGoalsPerReroute = 48
    /// Game seconds to stand still after a reroute found no goal it can reach.
    public static let retryAfter = 1.0

    /// Routes to the next goal that can be reached from `p`; false when none of
    /// ``maximumGoalsPerReroute`` can (the player stands where the grid's nearest open cell
    /// reaches no goal). Unbounded, that search once hung a walk for good.
    private func reroute(from p: MapPoint) -> Bool {
        for _ in 0..<MapExplorer.maximumGoalsPerReroute {
            if goals.isEmpty { plan() }
            let g = goals.removeFirst()
            if let r = grid.route(from: GridPoint(x: Int(p.x), y: Int(p.y)), to: GridPoint(x: Int(g.x), y: Int(g.y))),
                r.count > 2
            {
                route = r.map { MapPoint(x: Float($0.x), y: Float($0.y)) }
                goal = g
                return true
            }
        }
        goal = nil
        return false
    }

    /// The keys to hold now, for the player at `p` at time `time` (seconds).
    public func keys(player p: MapPoint, time: Double) -> Set<MoveKey> {
        // A jump (teleport) or no progress for 2 s: plan the route again from here.
        if let l = last, (l - p).length > 30 { route = [] }
        last = p
        if (p - lastProgress.at).length > 4 {
            lastProgress = (time, p)
        } else if time - lastProgress.time > 2 {
            route = []
            lastProgress = (time, p)
        }
        if route.isEmpty {
            // Stuck where no goal can be reached: stand still, and try again a little later.
            if time < retryAt { return [] }
            if !reroute(from: p) {
                retryAt = time + MapExplorer.retryAfter
                return []
            }
        }
        // Drop route points already reached; steer at a point a little ahead.
        var nearest = 0
        var best = Float.infinity
        for (i, q) in route.prefix(40).enumerated() {
            let d = (q - p).length
            if d < best {
                best = d
                nearest = i
            }
        }
        route.removeFirst(nearest)
        if route.count <= 2, let g = goal, (g - p).length < 14 || route.count <= 1 {
            route = []
            return []
        }
        let target = route[min(route.count - 1, 3)]
        let d = target - p
        let len = d.length
        guard len > 0.5 else { return [] }
        var keys: Set<MoveKey> = []
        if d.x > 0.38 * len { keys.insert(.right) }
        if d.x < -0.38 * len { keys.insert(.left) }
        if d.y > 0.38 * len { keys.insert(.down) }
        if d.y < -0.38 * len { keys.insert(.up) }
        return keys
    }
}
