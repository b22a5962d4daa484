import SeededRandom
import Imaging

/// Paints a stash grid the way Path of Exile draws it, at any scale and fractional pitch: thin
/// dark border lines with a faint gradient, item cells on the dark-blue (or, for gems the character
/// cannot use, dark-red) item background, empty cells on a near-black background with a dim
/// emblem, ornate gem sprites that cover most of the cell and whose glow and gold filigree reach
/// over the borders into the neighbouring cells, highlighted cells (the game's search highlight),
/// and an ornamental frame around the grid.
struct GameStashPainter {
    let grid: GameGrid
    /// 1 at the game's 1080p size of this tab's cells.
    var scale: Double { grid.pitch / 52.67 }

    static let itemBackgroundTop: [Float] = [7, 5, 29], itemBackgroundBottom: [Float] = [3, 2, 28]
    static let unusableTop: [Float] = [50, 9, 7], unusableBottom: [Float] = [38, 6, 5]
    static let emptyBackground: [Float] = [6, 5, 4]
    static let line: [Float] = [44, 33, 24]
    static let gold: [Float] = [214, 170, 96]
    static let highlight: [Float] = [228, 178, 72]

    /// What a cell's background shows.
    enum Kind: Hashable { case empty, item, unusable }

    /// Paints backgrounds and border lines of every cell (row-major `kinds`).
    func paintCells(into canvas: inout GameCanvas, kinds: [Kind], seed: UInt64) {
        let g = grid
        let lw = g.lineWidth
        let x0 = Swift.max(0, Int((g.originX - lw).rounded(.down)))
        let x1 = Swift.min(canvas.width, Int((g.originX + Double(g.columns) * g.pitch).rounded(.up)))
        let y0 = Swift.max(0, Int((g.originY - lw).rounded(.down)))
        let y1 = Swift.min(canvas.height, Int((g.originY + Double(g.rows) * g.pitch).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        // Per column (and row): the cell under the pixel centre, the position in it (0–1), and
        // how much of the pixel the border lines cover (lines are exact fractional strips).
        func axis(_ a: Int, _ b: Int, origin: Double, count: Int) -> (cell: [Int], pos: [Float], cover: [Float]) {
            var cell = [Int](repeating: -1, count: b - a)
            var pos = [Float](repeating: 0, count: b - a)
            var cover = [Float](repeating: 0, count: b - a)
            for p in a..<b {
                let centre = Double(p) + 0.5 - origin
                let k = Int((centre / g.pitch).rounded(.down))
                if k >= 0, k < count {
                    cell[p - a] = k
                    pos[p - a] = Float((centre - Double(k) * g.pitch) / g.cellSize)
                }
                // Line j covers [origin - lw + j * pitch, origin + j * pitch).
                let j = Int(((Double(p) - origin + lw) / g.pitch).rounded())
                var c = 0.0
                for jj in Swift.max(0, j - 1)...Swift.min(count, j + 1) {
                    let l0 = origin - lw + Double(jj) * g.pitch
                    let l1 = l0 + lw
                    c += Swift.max(0, Swift.min(Double(p + 1), l1) - Swift.max(Double(p), l0))
                }
                cover[p - a] = Float(Swift.min(1, c))
                if k < 0 || k >= count { cover[p - a] = Swift.max(cover[p - a], 0) }
            }
            return (cell, pos, cover)
        }
        let ax = axis(x0, x1, origin: g.originX, count: g.columns)
        let ay = axis(y0, y1, origin: g.originY, count: g.rows)
        let cs = Float(g.cellSize)
        for y in y0..<y1 {
            let r = ay.cell[y - y0]
            let ty = ay.pos[y - y0]
            let cy = ay.cover[y - y0]
            for x in x0..<x1 {
                let c = ax.cell[x - x0]
                let tx = ax.pos[x - x0]
                let cx = ax.cover[x - x0]
                let o = 3 * (y * canvas.width + x)
                var col: (Float, Float, Float)
                if r >= 0, c >= 0, tx <= 1, ty <= 1 {
                    switch kinds[r * g.columns + c] {
                    case .item, .unusable:
                        let top =
                            kinds[r * g.columns + c] == .item
                            ? GameStashPainter.itemBackgroundTop : GameStashPainter.unusableTop
                        let bottom =
                            kinds[r * g.columns + c] == .item
                            ? GameStashPainter.itemBackgroundBottom : GameStashPainter.unusableBottom
                        let t = Swift.min(1, ty * 3)
                        col = (
                            top[0] + (bottom[0] - top[0]) * t, top[1] + (bottom[1] - top[1]) * t,
                            top[2] + (bottom[2] - top[2]) * t
                        )
                    case .empty:
                        let e = GameStashPainter.emptyBackground
                        let grain = (ValueNoise.hash(x, y, seed) - 0.5) * 5
                        col = (e[0] + grain, e[1] + grain, e[2] + grain)
                        // The dim emblem: a ring and four petals.
                        let dx = (tx - 0.5) * cs
                        let dy = (ty - 0.5) * cs
                        let rr = (dx * dx + dy * dy).squareRoot() / cs
                        var ink: Float = Swift.max(0, 1 - Swift.abs(rr - 0.38) / 0.018)
                        if rr > 0.12, rr < 0.34 {
                            let ang = atan2Approx(dy, dx)
                            let petal = Swift.abs(sinApprox(ang * 2)) * 0.13 + 0.17
                            ink = Swift.max(ink, 1 - Swift.abs(rr - petal) / 0.02)
                        }
                        if ink > 0 {
                            let k = ink * 0.85
                            col = (col.0 + (17 - col.0) * k, col.1 + (14 - col.1) * k, col.2 + (11 - col.2) * k)
                        }
                    }
                } else {
                    col = (canvas.px[o], canvas.px[o + 1], canvas.px[o + 2])
                }
                let cover = Swift.max(cx, cy)
                if cover > 0 {
                    // Lines: a faint gradient along them, a little lighter towards the bottom right.
                    let shade =
                        0.78 + 0.3 * ValueNoise.smooth(Double(x), Double(y), scale: g.pitch * 1.7, seed: seed ^ 0x11)
                        + 0.12 * Float(Double(x - x0 + y - y0) / Double(x1 - x0 + y1 - y0))
                    let l = GameStashPainter.line
                    col.0 += (l[0] * shade - col.0) * cover
                    col.1 += (l[1] * shade - col.1) * cover
                    col.2 += (l[2] * shade - col.2) * cover
                }
                canvas.px[o] = col.0
                canvas.px[o + 1] = col.1
                canvas.px[o + 2] = col.2
            }
        }
    }

    /// The search highlight: a bright outline just inside the cell's edges.
    func paintHighlights(into canvas: inout GameCanvas, cells: Set<Int>) {
        let w = Swift.max(1.5, 2.2 * scale)
        for i in cells where i < grid.columns * grid.rows {
            let (c, r) = (i % grid.columns, i / grid.columns)
            let x = grid.originX + Double(c) * grid.pitch
            let y = grid.originY + Double(r) * grid.pitch
            let s = grid.cellSize
            canvas.fillRect(x: x, y: y, width: s, height: s, GameStashPainter.highlight, alpha: 0.04)
            canvas.fillRect(x: x, y: y, width: s, height: w, GameStashPainter.highlight)
            canvas.fillRect(x: x, y: y + s - w, width: s, height: w, GameStashPainter.highlight)
            canvas.fillRect(x: x, y: y, width: w, height: s, GameStashPainter.highlight)
            canvas.fillRect(x: x + s - w, y: y, width: w, height: s, GameStashPainter.highlight)
        }
    }

    /// The ornamental frame around the grid: a dark gap, a gold-brown band with a bright inner
    /// edge, and round studs at the corners.
    func paintFrame(into canvas: inout GameCanvas) {
        let s = Swift.max(0.5, grid.pitch * Double(grid.columns) / 632)
        let gx0 = grid.originX - grid.lineWidth
        let gy0 = grid.originY - grid.lineWidth
        let gx1 = grid.originX + Double(grid.columns) * grid.pitch
        let gy1 = grid.originY + Double(grid.rows) * grid.pitch
        let gap = 3 * s
        let band = 7 * s
        let ox0 = gx0 - gap - band
        let oy0 = gy0 - gap - band
        let ox1 = gx1 + gap + band
        let oy1 = gy1 + gap + band
        // Dark gap.
        canvas.fillRect(x: gx0 - gap, y: gy0 - gap, width: gx1 - gx0 + 2 * gap, height: gap, [3, 2, 2])
        canvas.fillRect(x: gx0 - gap, y: gy1, width: gx1 - gx0 + 2 * gap, height: gap, [3, 2, 2])
        canvas.fillRect(x: gx0 - gap, y: gy0, width: gap, height: gy1 - gy0, [3, 2, 2])
        canvas.fillRect(x: gx1, y: gy0, width: gap, height: gy1 - gy0, [3, 2, 2])
        // Band with an engraved pattern.
        let x0 = Swift.max(0, Int(ox0))
        let x1 = Swift.min(canvas.width, Int(ox1.rounded(.up)))
        let y0 = Swift.max(0, Int(oy0))
        let y1 = Swift.min(canvas.height, Int(oy1.rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 {
                let px = Double(x) + 0.5
                let py = Double(y) + 0.5
                let inside = px > gx0 - gap && px < gx1 + gap && py > gy0 - gap && py < gy1 + gap
                guard !inside else { continue }
                // Distance into the band from its inner edge.
                let d = Swift.min(Swift.min(px - ox0, ox1 - px), Swift.min(py - oy0, oy1 - py))
                let t = Float(d / band)
                let engraving = 0.75 + 0.25 * sinApprox(Float((px + py) / (3.1 * s)))
                var c: [Float] = [118 * engraving, 86 * engraving, 46 * engraving]
                if t > 0.82 { c = [196, 156, 88] } else if t < 0.16 { c = [40, 28, 16] }
                canvas.blend(x, y, c, 1)
            }
        }
        // Corner studs.
        for (cx, cy) in [(ox0, oy0), (ox1, oy0), (ox0, oy1), (ox1, oy1)] {
            let r = 9 * s
            let bx0 = Int(cx - r - 1)
            let by0 = Int(cy - r - 1)
            for y in Swift.max(0, by0)..<Swift.min(canvas.height, by0 + Int(2 * r) + 3) {
                for x in Swift.max(0, bx0)..<Swift.min(canvas.width, bx0 + Int(2 * r) + 3) {
                    let d =
                        ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy)
                            * (Double(y) + 0.5 - cy))
                        .squareRoot()
                    if d < r {
                        canvas.blend(
                            x, y, d < r * 0.45 ? [60, 20, 14] : GameStashPainter.gold, Float(Swift.min(1, r - d)))
                    }
                }
            }
        }
    }

    /// A gem sprite for a cell whose exact centre is (cx, cy): returns the sprite and where its
    /// top-left pixel goes. The gem covers most of the cell; its glow and gold filigree reach
    /// over the cell's borders.
    func sprite(_ item: StashItem, centreX cx: Double, centreY cy: Double) -> (Sprite, x: Int, y: Int) {
        let unit = Float(grid.cellSize)
        let m = Int((grid.cellSize * 1.5).rounded(.up)) + 2
        let tlx = Int(cx.rounded(.down)) - m / 2
        let tly = Int(cy.rounded(.down)) - m / 2
        let centre = (x: Float(cx - Double(tlx)), y: Float(cy - Double(tly)))
        var canvas = Canvas(size: m)
        let (_, mid, light) = GemArt.base(item.color)
        // Glow behind the gem.
        for y in 0..<m {
            for x in 0..<m {
                let dx = (Float(x) + 0.5 - centre.x) / unit
                let dy = (Float(y) + 0.5 - centre.y) / unit
                let d = (dx * dx + dy * dy).squareRoot()
                if d < 0.64 {
                    let f = 1 - d / 0.64
                    canvas.blend(x, y, mid, 0.42 * f * f)
                }
            }
        }
        var rng = SeededGenerator(seed: item.look.detailSeed)
        let body = canvas.gem(item.look, rng: &rng, unit: unit, centre: centre, bodyScale: 1.22)
        // Gold filigree: arcs around the gem, partly outside the cell.
        var frng = SeededGenerator(seed: item.look.detailSeed ^ 0xF11E)
        let lw = unit / 52
        let g = GameStashPainter.gold.map { $0 * (0.85 + frng.nextUniform() * 0.25) }
        for _ in 0..<3 {
            let r = unit * (0.47 + frng.nextUniform() * 0.1)
            let len = 0.7 + frng.nextUniform() * 0.9
            let a0 = -3.1 + frng.nextUniform() * (6.2 - len)
            canvas.ring(body.cx, body.cy, r, width: 1.6 * lw, g, from: a0, to: a0 + len)
            for a in [a0, a0 + len] {
                let ex = body.cx + r * cosApprox(a)
                let ey = body.cy + r * sinApprox(a)
                canvas.ring(ex, ey, 1.4 * lw, width: 2.2 * lw, light.map { ($0 + g[0]) / 2 })
            }
        }
        // Premultiplied already: the canvas started transparent black.
        return (Sprite(size: m, px: canvas.px, alpha: canvas.alpha), tlx, tly)
    }
}
