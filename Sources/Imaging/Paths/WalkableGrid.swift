/// A point on a pixel grid (x right, y down).
public struct GridPoint: Hashable, Sendable, Codable {
    public var x: Int, y: Int
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// Shortest routes over a walkable mask that keep a clearance from the walls: a coarse grid of
/// `cell`-pixel cells, a cell open when its centre pixel is at least `clearance` pixels from any
/// non-walkable pixel (chamfer distance), 8-neighbour breadth-first search.
public struct WalkableGrid: Sendable {
    public let width: Int, height: Int, cell: Int
    public let columns: Int, rows: Int
    /// 1 where a coarse cell is open.
    public let open: [UInt8]
    let mask: [UInt8]

    /// `mask`: `width * height` bytes, non-zero = walkable.
    public init(mask: [UInt8], width: Int, height: Int, cell: Int = 4, clearance: Int = 4) throws {
        guard width > 0, height > 0, mask.count == width * height else {
            throw ImagingError.invalidArgument("walkable mask of \(mask.count) bytes is not \(width)x\(height)")
        }
        guard cell >= 1 else { throw ImagingError.invalidArgument("cell size must be at least 1, got \(cell)") }
        self.width = width
        self.height = height
        self.cell = cell
        self.mask = mask
        columns = width / cell
        rows = height / cell
        let dist = WalkableGrid.distanceToWalls(mask, width: width, height: height)
        var open = [UInt8](repeating: 0, count: columns * rows)
        for r in 0..<rows {
            for c in 0..<columns {
                let x = c * cell + cell / 2
                let y = r * cell + cell / 2
                if dist[y * width + x] >= Int32(clearance * 3) { open[r * columns + c] = 1 }
            }
        }
        self.open = open
    }

    /// Chamfer (3-4) distance of every pixel to the nearest non-walkable pixel, ×3.
    static func distanceToWalls(_ mask: [UInt8], width: Int, height: Int) -> [Int32] {
        let big: Int32 = 1 << 28
        var d = [Int32](repeating: 0, count: mask.count)
        for i in mask.indices where mask[i] != 0 { d[i] = big }
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                guard d[i] > 0 else { continue }
                var v = d[i]
                if x > 0 { v = min(v, d[i - 1] + 3) } else { v = min(v, 3) }
                if y > 0 {
                    v = min(v, d[i - width] + 3)
                    if x > 0 { v = min(v, d[i - width - 1] + 4) }
                    if x < width - 1 { v = min(v, d[i - width + 1] + 4) }
                } else {
                    v = min(v, 3)
                }
                d[i] = v
            }
        }
        for y in stride(from: height - 1, through: 0, by: -1) {
            for x in stride(from: width - 1, through: 0, by: -1) {
                let i = y * width + x
                guard d[i] > 0 else { continue }
                var v = d[i]
                if x < width - 1 { v = min(v, d[i + 1] + 3) } else { v = min(v, 3) }
                if y < height - 1 {
                    v = min(v, d[i + width] + 3)
                    if x < width - 1 { v = min(v, d[i + width + 1] + 4) }
                    if x > 0 { v = min(v, d[i + width - 1] + 4) }
                } else {
                    v = min(v, 3)
                }
                d[i] = v
            }
        }
        return d
    }

    /// The open cell nearest to pixel `p` (searching outwards), or nil.
    public func nearestOpenCell(to p: GridPoint) -> GridPoint? {
        let c0 = min(max(p.x / cell, 0), columns - 1)
        let r0 = min(max(p.y / cell, 0), rows - 1)
        for radius in 0..<max(columns, rows) {
            var best: (GridPoint, Int)?
            for r in max(0, r0 - radius)...min(rows - 1, r0 + radius) {
                for c in max(0, c0 - radius)...min(columns - 1, c0 + radius) {
                    guard max(abs(r - r0), abs(c - c0)) == radius, open[r * columns + c] != 0 else { continue }
                    let d = (r - r0) * (r - r0) + (c - c0) * (c - c0)
                    if best == nil || d < best!.1 { best = (GridPoint(x: c, y: r), d) }
                }
            }
            if let best { return best.0 }
        }
        return nil
    }

    /// Steps (in cells) from the open cell nearest `start` to every cell (-1: unreachable).
    public func distances(from start: GridPoint) -> [Int32] {
        var dist = [Int32](repeating: -1, count: columns * rows)
        guard let s = nearestOpenCell(to: start) else { return dist }
        // Breadth-first over raw buffers with a queue made once, without the arrays' checks (the
        // scripted map player runs one per reroute, several times a walk). The order of visits,
        // and so every route, is the array version's.
        let columns = columns
        let rows = rows
        let queue = UnsafeMutablePointer<Int32>.allocate(capacity: columns * rows)
        defer { queue.deallocate() }
        open.withUnsafeBufferPointer { openBuffer in
            dist.withUnsafeMutableBufferPointer { distBuffer in
                let open = openBuffer.baseAddress!
                let d = distBuffer.baseAddress!
                var tail = 0
                queue[tail] = Int32(s.y * columns + s.x)
                tail += 1
                d[s.y * columns + s.x] = 0
                var head = 0
                while head < tail {
                    let i = Int(queue[head])
                    head += 1
                    let c = i % columns
                    let r = i / columns
                    let next = d[i] + 1
                    for dr in -1...1 {
                        let nr = r + dr
                        guard nr >= 0, nr < rows else { continue }
                        for dc in -1...1 where dr != 0 || dc != 0 {
                            let nc = c + dc
                            guard nc >= 0, nc < columns else { continue }
                            let j = nr * columns + nc
                            guard open[j] != 0, d[j] < 0 else { continue }
                            // No corner cutting past a closed cell.
                            if dr != 0 && dc != 0 && (open[r * columns + nc] == 0 || open[nr * columns + c] == 0) {
                                continue
                            }
                            d[j] = next
                            queue[tail] = Int32(j)
                            tail += 1
                        }
                    }
                }
            }
        }
        return dist
    }

    /// A shortest route from pixel `start` to pixel `goal`, as cell-centre pixels (the first is
    /// the start's cell), or nil when the goal cannot be reached.
    public func route(from start: GridPoint, to goal: GridPoint) -> [GridPoint]? {
        guard let g = nearestOpenCell(to: goal) else { return nil }
        let dist = distances(from: goal)
        guard let s = nearestOpenCell(to: start), dist[s.y * columns + s.x] >= 0 else { return nil }
        _ = g
        var path = [s]
        var cur = s
        while dist[cur.y * columns + cur.x] > 0 {
            var next: GridPoint?
            for dr in -1...1 {
                for dc in -1...1 where dr != 0 || dc != 0 {
                    let nc = cur.x + dc
                    let nr = cur.y + dr
                    guard nc >= 0, nr >= 0, nc < columns, nr < rows else { continue }
                    let d = dist[nr * columns + nc]
                    if d >= 0 && d == dist[cur.y * columns + cur.x] - 1 {
                        if dr != 0 && dc != 0 && (open[cur.y * columns + nc] == 0 || open[nr * columns + cur.x] == 0) {
                            continue
                        }
                        if next == nil || (dr == 0 || dc == 0) { next = GridPoint(x: nc, y: nr) }
                    }
                }
            }
            guard let n = next else { return nil }
            path.append(n)
            cur = n
        }
        return path.map { GridPoint(x: $0.x * cell + cell / 2, y: $0.y * cell + cell / 2) }
    }

    /// True when the cell containing pixel `p` is open.
    public func isOpen(_ p: GridPoint) -> Bool {
        let c = p.x / cell
        let r = p.y / cell
        guard p.x >= 0, p.y >= 0, c < columns, r < rows else { return false }
        return open[r * columns + c] != 0
    }

    /// Every open cell centre reachable from `start` (pixels).
    public func reachableCells(from start: GridPoint) -> [GridPoint] {
        let dist = distances(from: start)
        var out: [GridPoint] = []
        for i in dist.indices where dist[i] >= 0 {
            out.append(GridPoint(x: (i % columns) * cell + cell / 2, y: (i / columns) * cell + cell / 2))
        }
        return out
    }
}
