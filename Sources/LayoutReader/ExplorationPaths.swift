import Foundation
import Imaging

/// Exploration paths from the origin that respect walls, made from a full map's walkable mask
/// as the seed's hand-drawn MSPaint lines were: shortest routes to random targets, wandering
/// with momentum, and out-and-back routes. Paths are dense (one point per pixel step).
public struct ExplorationPaths {
    public enum Kind: String, CaseIterable, Codable, Sendable { case route, wander, backtrack }
    public let grid: WalkableGrid
    public let origin: GridPoint

    public init(walkable: [UInt8], width: Int, height: Int, origin: GridPoint) throws {
        grid = try WalkableGrid(mask: walkable, width: width, height: height, cell: 4, clearance: 3)
        guard grid.nearestOpenCell(to: origin) != nil else {
            throw ImagingError.invalidArgument(
                "the walkable mask has no open ground near the origin (\(origin.x), \(origin.y))")
        }
        self.origin = origin
    }

    /// Joins route points into a dense, pixel-step path.
    static func densify(_ points: [GridPoint]) -> [GridPoint] {
        guard var prev = points.first else { return [] }
        var out = [prev]
        for p in points.dropFirst() {
            let steps = max(abs(p.x - prev.x), abs(p.y - prev.y))
            for s in stride(from: 1, through: steps, by: 1) {
                out.append(GridPoint(x: prev.x + (p.x - prev.x) * s / steps, y: prev.y + (p.y - prev.y) * s / steps))
            }
            prev = p
        }
        return out
    }

    /// `count` paths of mixed kinds (route, wander, backtrack in turn), reproducible from `seed`.
    public func generate(count: Int, seed: UInt64, maxLength: Int = 3000) -> [(kind: Kind, points: [GridPoint])] {
        var rng = SplitMix(seed: seed)
        let reachable = grid.reachableCells(from: origin)
        guard !reachable.isEmpty else { return [] }
        var out: [(Kind, [GridPoint])] = []
        for i in 0..<count {
            let kind = Kind.allCases[i % 3]
            switch kind {
            case .route, .backtrack:
                let target = reachable[Int(rng.next() % UInt64(reachable.count))]
                guard let r = grid.route(from: origin, to: target) else { continue }
                var pts = r
                if kind == .backtrack { pts += r.reversed().dropFirst() }
                out.append((kind, Array(ExplorationPaths.densify([origin] + pts).prefix(maxLength))))
            case .wander:
                var p =
                    grid.nearestOpenCell(to: origin).map {
                        GridPoint(x: $0.x * grid.cell + grid.cell / 2, y: $0.y * grid.cell + grid.cell / 2)
                    } ?? origin
                var angle = Double(rng.next() % 628) / 100
                var pts = [origin, p]
                for _ in 0..<(maxLength / 4) {
                    angle += (Double(rng.next() % 1000) / 1000 - 0.5) * 0.6
                    var moved = false
                    for attempt in 0..<8 {
                        let a = angle + Double(attempt) * (attempt % 2 == 0 ? 0.7 : -0.7) * Double((attempt + 1) / 2)
                        let q = GridPoint(
                            x: p.x + Int((cos(a) * Double(grid.cell)).rounded()),
                            y: p.y + Int((sin(a) * Double(grid.cell)).rounded()))
                        if grid.isOpen(q) {
                            p = q
                            angle = a
                            moved = true
                            break
                        }
                    }
                    if !moved { break }
                    pts.append(p)
                }
                out.append((kind, Array(ExplorationPaths.densify(pts).prefix(maxLength))))
            }
        }
        return out
    }
}

extension ExplorationPaths {
    /// `count` tours from the origin, as the arena's scripted player walks an area: shortest
    /// routes through 2 to `stops` random reachable places in turn (each leg starts where the last
    /// ended), dense, at most `maxLength` points; reproducible from `seed`.
    public func tours(count: Int, seed: UInt64, stops: Int = 5, maxLength: Int = 12000) -> [[GridPoint]] {
        precondition(stops >= 2, "a tour needs at least 2 stops")
        var rng = SplitMix(seed: seed ^ 0x70E5)
        let reachable = grid.reachableCells(from: origin)
        guard !reachable.isEmpty else { return [] }
        var out: [[GridPoint]] = []
        for _ in 0..<count {
            let legs = 2 + Int(rng.next() % UInt64(stops - 1))
            var at = origin
            var points = [origin]
            for _ in 0..<legs {
                let target = reachable[Int(rng.next() % UInt64(reachable.count))]
                guard let r = grid.route(from: at, to: target) else { continue }
                points += r
                at = r.last ?? at
            }
            out.append(Array(ExplorationPaths.densify(points).prefix(maxLength)))
        }
        return out
    }
}

/// A small reproducible generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
