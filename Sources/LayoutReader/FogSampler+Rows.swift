import Imaging

/// The seed's fog-of-war sampling for long dense paths (the same pixels as ``FogSampler/reveal(mask:width:height:path:radius:)``): each path point lifts one interval per row of its disc, and each
/// row's intervals are merged before the mask is read, instead of writing every disc pixel.
extension FogSampler {
    /// The revealed part of `mask` (1 = line), the same pixels as ``reveal(mask:width:height:path:radius:)``;
    /// `mask` must hold `width × height` values and `radius` must not be negative.
    public static func revealedByRows(
        mask: [UInt8], width: Int, height: Int, path: [GridPoint], radius: Int = 65
    ) -> [UInt8] {
        precondition(mask.count == width * height && radius >= 0)
        let r2 = radius * radius
        var half = [Int](repeating: 0, count: radius + 1)
        for dy in 0...radius {
            var dx = 0
            while (dx + 1) * (dx + 1) + dy * dy <= r2 { dx += 1 }
            half[dy] = dx
        }
        var rows = [[(Int32, Int32)]](repeating: [], count: height)
        var last: GridPoint?
        for p in path where p != last {
            last = p
            for dy in -radius...radius {
                let y = p.y + dy
                guard y >= 0, y < height else { continue }
                let h = half[abs(dy)]
                let x0 = max(0, p.x - h)
                let x1 = min(width - 1, p.x + h)
                guard x0 <= x1 else { continue }
                if let l = rows[y].last, l.0 == Int32(x0), l.1 == Int32(x1) { continue }
                rows[y].append((Int32(x0), Int32(x1)))
            }
        }
        var out = [UInt8](repeating: 0, count: mask.count)
        for y in 0..<height where !rows[y].isEmpty {
            var spans = rows[y]
            spans.sort { $0.0 < $1.0 }
            var covered = -1
            let base = y * width
            for (a, b) in spans {
                let start = max(Int(a), covered + 1)
                let end = Int(b)
                if start <= end {
                    for x in start...end where mask[base + x] != 0 { out[base + x] = 1 }
                }
                covered = max(covered, end)
            }
        }
        return out
    }
}
