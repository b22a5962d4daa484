import Arena
import Foundation
import Imaging
import LayoutReader

/// How much of a full arena layout the classifier's nearest tokens can see (`layout reach`): per
/// class, the non-empty 32 px patches, the distance of the last kept token, the share of the walls
/// kept, and whether the kept tokens reach the class's landmark (its waypoint: the fork's junction,
/// the hub's room, the u-turn's turn, ...).
public enum LayoutReach {
    /// One layout's figures.
    public struct Instance: Sendable, Equatable {
        /// Non-empty patches of the whole layout.
        public var patches: Int
        /// Distance from the entrance of the last kept token, in pixels.
        public var lastTokenDistance: Double
        /// Share of the wall pixels inside the kept tokens.
        public var wallsKept: Double
        /// Distance of the class's waypoint from the entrance, in pixels.
        public var waypointDistance: Double
        /// Share of the wall pixels within 120 px of the waypoint inside the kept tokens.
        public var landmarkWallsKept: Double
    }

    /// The figures of layout `seed` of class `layoutClass` when the nearest `tokens` tokens are kept.
    public static func measure(_ layoutClass: LayoutClass, seed: UInt64, tokens: Int) -> Instance {
        let layout = MapLayout(layoutClass: layoutClass, seed: seed)
        let w = ArenaLayoutData.walls(of: layout)
        let all = LayoutTokens(values: w.values, width: w.width, height: w.height, origin: w.origin)
        let n = Swift.min(tokens, all.count)
        let last = n > 0 ? (all.rows[n - 1] * all.rows[n - 1] + all.columns[n - 1] * all.columns[n - 1]) : 0
        // Kept patches, as a set of (row, column).
        var keptSet = Set<Int>()
        for t in 0..<n { keptSet.insert((all.rows[t] + 4096) * 8192 + all.columns[t] + 4096) }
        let p = LayoutTokens.patchSize
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        var inKept = 0
        var near = 0
        var nearKept = 0
        let wp = layout.waypoint
        for y in 0..<w.height {
            for x in 0..<w.width where w.values[y * w.width + x] != 0 {
                let key = (floorDiv(y - w.origin.y, p) + 4096) * 8192 + floorDiv(x - w.origin.x, p) + 4096
                let k = keptSet.contains(key)
                if k { inKept += 1 }
                let dx = Float(x) - wp.x
                let dy = Float(y) - wp.y
                if dx * dx + dy * dy <= 120 * 120 {
                    near += 1
                    if k { nearKept += 1 }
                }
            }
        }
        return Instance(
            patches: all.count, lastTokenDistance: Double(p) * Double(last).squareRoot(),
            wallsKept: Double(inKept) / Double(Swift.max(1, w.lineCount)),
            waypointDistance: Double((wp - layout.entrance).length),
            landmarkWallsKept: Double(nearKept) / Double(Swift.max(1, near)))
    }

    /// The figures of `instances` layouts of `layoutClass` (the training seeds, or the test seeds), on
    /// every core.
    public static func measure(_ layoutClass: LayoutClass, instances: Int, tokens: Int, test: Bool) -> [Instance] {
        let base = test ? ArenaLayoutData.testSeedBase : ArenaLayoutData.trainSeedBase
        var out = [Instance?](repeating: nil, count: instances)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: instances) { i in
            let r = measure(layoutClass, seed: base + UInt64(i) * 16 + UInt64(layoutClass.rawValue), tokens: tokens)
            lock.lock()
            out[i] = r
            lock.unlock()
        }
        return out.compactMap { $0 }
    }
}
