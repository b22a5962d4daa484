import Foundation
import SeededRandom

/// Builds a ``MapLayout`` from its class's blueprint: the fixed corridors, rooms, lakes and blocks,
/// each jittered, wiggled and widened per seed, plus random side branches (dead ends and small
/// rooms), rocks inside open ground, and jagged edges.
final class MapLayoutGenerator {
    let layoutClass: LayoutClass
    let seed: UInt64
    let width = MapLayout.size.width, height = MapLayout.size.height
    private var rng: SeededGenerator
    private var ground: [UInt8]
    private var water: [UInt8]

    init(layoutClass: LayoutClass, seed: UInt64) {
        self.layoutClass = layoutClass
        self.seed = seed
        rng = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(layoutClass.rawValue) &* 0x5851_F42D)
        ground = [UInt8](repeating: 0, count: MapLayout.size.width * MapLayout.size.height)
        water = ground
    }

    private func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * rng.nextUniform() }

    private func toMap(_ p: MapPoint) -> MapPoint { MapPoint(x: p.x * Float(width), y: p.y * Float(height)) }

    /// Sets (or clears) every pixel of `mask` within `r` of `c`, keeping a margin from the border.
    private func stamp(_ mask: inout [UInt8], _ c: MapPoint, _ r: Float, value: UInt8 = 1) {
        let margin = 10
        let x0 = max(margin, Int(c.x - r))
        let x1 = min(width - 1 - margin, Int(c.x + r) + 1)
        let y0 = max(margin, Int(c.y - r))
        let y1 = min(height - 1 - margin, Int(c.y + r) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        let r2 = r * r
        let w = width
        mask.withUnsafeMutableBufferPointer { m in
            for y in y0...y1 {
                let dy = Float(y) + 0.5 - c.y
                let row = y * w
                for x in x0...x1 {
                    let dx = Float(x) + 0.5 - c.x
                    if dx * dx + dy * dy <= r2 { m[row + x] = value }
                }
            }
        }
    }

    /// A wiggled polyline through `points` (map pixels): each segment is cut into ~40 px pieces
    /// whose inner points are pushed sideways by smooth noise of amplitude `amplitude`.
    private func wiggle(_ points: [MapPoint], amplitude: Float) -> [MapPoint] {
        var out: [MapPoint] = []
        for (a, b) in zip(points, points.dropFirst()) {
            let d = b - a
            let len = d.length
            let n = max(1, Int(len / 40))
            let normal = MapPoint(x: -d.y / max(len, 1), y: d.x / max(len, 1))
            var offset: Float = 0
            for i in 0..<n {
                let t = Float(i) / Float(n)
                if i > 0 { offset = 0.6 * offset + uniform(-amplitude, amplitude) } else { offset = 0 }
                out.append(a + d * t + normal * offset)
            }
        }
        if let last = points.last { out.append(last) }
        return out
    }

    /// Carves a corridor along `points` with half-width `r`, varying smoothly, with jagged edges.
    private func carve(_ points: [MapPoint], halfWidth r: Float) {
        var widthNoise: Float = 0
        for (a, b) in zip(points, points.dropFirst()) {
            let d = b - a
            let len = d.length
            let steps = max(1, Int(len / 3))
            for s in 0...steps {
                let t = Float(s) / Float(steps)
                widthNoise = 0.97 * widthNoise + uniform(-0.04, 0.04)
                let radius = max(8, r * (1 + widthNoise * 4)) + uniform(-2.5, 2.5)
                stamp(&ground, a + d * t, radius)
            }
        }
    }

    /// An irregular open region: overlapping discs around `c`.
    private func blob(_ mask: inout [UInt8], _ c: MapPoint, _ r: Float, value: UInt8 = 1) {
        stamp(&mask, c, r * 0.75, value: value)
        let lobes = 7 + Int(rng.nextUniform() * 5)
        for _ in 0..<lobes {
            let a = uniform(0, 2 * .pi)
            let dist = uniform(0.2, 0.5) * r
            stamp(&mask, c + MapPoint(x: cos(a) * dist, y: sin(a) * dist), r * uniform(0.35, 0.55), value: value)
        }
        // Jagged rim: many small discs on the edge.
        let bumps = Int(r / 3)
        for i in 0..<bumps {
            let a = Float(i) / Float(bumps) * 2 * .pi + uniform(-0.05, 0.05)
            let dist = r * uniform(0.62, 0.78)
            stamp(&mask, c + MapPoint(x: cos(a) * dist, y: sin(a) * dist), uniform(3, 9), value: value)
        }
    }

    func generate() -> MapLayout {
        let bp = layoutClass.blueprint
        let widthFactor = uniform(0.85, 1.2)
        func jitter(_ p: MapPoint, _ amount: Float) -> MapPoint {
            p + MapPoint(x: uniform(-amount, amount), y: uniform(-amount, amount))
        }
        // Corridors: fixed skeleton, jittered inner points, wiggled, carved.
        var skeleton: [MapPoint] = []
        var mainPoints: [[MapPoint]] = []
        for (line, halfWidth) in bp.corridors {
            var pts = line.map(toMap)
            for i in pts.indices where i > 0 && i < pts.count - 1 { pts[i] = jitter(pts[i], 22) }
            let w = wiggle(pts, amplitude: 14)
            carve(w, halfWidth: halfWidth * widthFactor)
            skeleton += w
            mainPoints.append(w)
        }
        for (c, r) in bp.rooms {
            let centre = jitter(toMap(c), 12)
            var g = ground
            let radius = r * uniform(0.9, 1.1)
            blob(&g, centre, radius)
            ground = g
        }
        // Side branches: a few, from random skeleton points, ending in a dead end or a small room.
        var branchEnds: [MapPoint] = []
        let branches = 3 + Int(rng.nextUniform() * 3)
        var attempts = 0
        while branchEnds.count < branches && attempts < 40 {
            attempts += 1
            guard let start = skeleton.randomElement(using: &rng) else { break }
            let angle = uniform(0, 2 * .pi)
            let length = uniform(90, 220)
            let end = MapPoint(x: start.x + cos(angle) * length, y: start.y + sin(angle) * length)
            guard end.x > 60, end.y > 60, end.x < Float(width - 60), end.y < Float(height - 60) else { continue }
            // Branches must not land on the exit or the entrance.
            if (end - toMap(bp.exit)).length < 120 || (end - toMap(bp.entrance)).length < 120 { continue }
            let mid = start + (end - start) * 0.5 + MapPoint(x: uniform(-25, 25), y: uniform(-25, 25))
            carve(wiggle([start, mid, end], amplitude: 10), halfWidth: uniform(11, 17))
            if rng.nextUniform() < 0.5 {
                var g = ground
                let radius = uniform(28, 48)
                blob(&g, end, radius)
                ground = g
            }
            branchEnds.append(end)
        }
        // Cliff blocks and lakes are carved out of the ground; lakes leave water (a shore line).
        for (c, r) in bp.blocks {
            var g = ground
            let centre = jitter(toMap(c), 10)
            let radius = r * uniform(0.9, 1.05)
            blob(&g, centre, radius, value: 0)
            ground = g
        }
        for (c, r) in bp.lakes {
            var w = water
            let centre = jitter(toMap(c), 10)
            let radius = r * uniform(0.92, 1.05)
            blob(&w, centre, radius)
            water = w
        }
        // Re-carve the main corridors' centre lines thinly so blocks and lakes never cut the route.
        for pts in mainPoints { for p in pts { stamp(&ground, p, 9) } }
        for i in ground.indices where water[i] != 0 && ground[i] != 0 {
            // Water only where it does not cut the main route.
            ground[i] = 0
        }
        for pts in mainPoints {
            for p in pts {
                stamp(&ground, p, 9)
                stamp(&water, p, 12, value: 0)
            }
        }
        for i in ground.indices where ground[i] != 0 { water[i] = 0 }
        // Rocks: small obstacles inside open ground (closed outlines on the minimap).
        for (c, r) in bp.rooms where r > 50 {
            let count = 2 + Int(rng.nextUniform() * 4)
            for _ in 0..<count {
                let a = uniform(0, 2 * .pi)
                let dist = uniform(0.15, 0.5) * r
                let p = toMap(c) + MapPoint(x: cos(a) * dist, y: sin(a) * dist)
                let near = mainPoints.joined().contains { ($0 - p).length < 18 }
                if !near { stamp(&ground, p, uniform(5, 11), value: 0) }
            }
        }
        let entrance = toMap(bp.entrance)
        let exit = toMap(bp.exit)
        stamp(&ground, entrance, 20)
        stamp(&ground, exit, 20)
        let walkable = MapLayoutGenerator.connected(ground, width: width, height: height, from: entrance)
        for i in water.indices where walkable[i] == 0 && ground[i] != 0 { water[i] = 0 }
        let (walls, edges) = MapLayoutGenerator.lines(walkable: walkable, water: water, width: width, height: height)
        let reachable = branchEnds.filter { p in
            let x = Int(p.x)
            let y = Int(p.y)
            return walkable[y * width + x] != 0
        }
        return MapLayout(
            layoutClass: layoutClass, seed: seed, width: width, height: height, walkable: walkable, walls: walls,
            waterEdges: edges, water: water, entrance: entrance, exit: exit, waypoint: toMap(bp.waypoint),
            branchEnds: reachable)
    }

    /// The part of `ground` connected (4-neighbours) to `start`.
    static func connected(_ ground: [UInt8], width: Int, height: Int, from start: MapPoint) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ground.count)
        let s = Int(start.y) * width + Int(start.x)
        guard ground[s] != 0 else { return out }
        var stack = [s]
        out[s] = 1
        while let i = stack.popLast() {
            let x = i % width
            let y = i / width
            if x > 0, ground[i - 1] != 0, out[i - 1] == 0 {
                out[i - 1] = 1
                stack.append(i - 1)
            }
            if x < width - 1, ground[i + 1] != 0, out[i + 1] == 0 {
                out[i + 1] = 1
                stack.append(i + 1)
            }
            if y > 0, ground[i - width] != 0, out[i - width] == 0 {
                out[i - width] = 1
                stack.append(i - width)
            }
            if y < height - 1, ground[i + width] != 0, out[i + width] == 0 {
                out[i + width] = 1
                stack.append(i + width)
            }
        }
        return out
    }

    /// Wall lines (ground next to rock, on both sides of the edge: 2 px) and water edges (ground
    /// next to water).
    static func lines(walkable: [UInt8], water: [UInt8], width: Int, height: Int) -> (walls: [UInt8], edges: [UInt8]) {
        var walls = [UInt8](repeating: 0, count: walkable.count)
        var edges = walls
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                let i = y * width + x
                let me = walkable[i]
                for j in [i - 1, i + 1, i - width, i + width] where walkable[j] != me {
                    // The non-walkable side decides: water makes a shore, anything else a wall.
                    let other = me != 0 ? j : i
                    if water[other] != 0 { edges[i] = 1 } else { walls[i] = 1 }
                }
            }
        }
        return (walls, edges)
    }
}
