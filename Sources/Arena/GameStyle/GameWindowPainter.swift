import Imaging

/// Draws the stash arena's window in the game's style: the stash panel (title, ornamental frame,
/// the grid) on the left and a plain strip on the right where the sorter rests the pointer. The
/// parts that do not change (panel, frame, border lines, both cell backgrounds) are drawn once;
/// a redraw copies them and composites the item sprites, which are cached per item and cell.
final class GameWindowPainter {
    let grid: GameGrid
    let width: Int, height: Int
    let highlighted: Set<Int>
    private let painter: GameStashPainter
    private var bases: [GameStashPainter.Kind: Image] = [:]
    private var sprites: [Int: (Sprite, x: Int, y: Int)] = [:]
    static let outside: [Float] = [8, 7, 6]

    init(grid: GameGrid, width: Int, height: Int, highlighted: Set<Int>, seed: UInt64) {
        self.grid = grid
        self.width = width
        self.height = height
        self.highlighted = highlighted
        painter = GameStashPainter(grid: grid)
        let s = painter.scale
        let panelWidth = grid.originX + Double(grid.columns) * grid.pitch + 14 * s
        for kind in [GameStashPainter.Kind.empty, .item, .unusable] {
            var canvas = GameCanvas(width: width, height: height, color: GameWindowPainter.outside)
            GameScreenshot.paintPanel(
                into: &canvas, x: 0, y: 0, width: panelWidth, height: Double(height), seed: seed, scale: s)
            painter.paintFrame(into: &canvas)
            painter.paintCells(
                into: &canvas, kinds: Array(repeating: kind, count: grid.columns * grid.rows), seed: seed)
            painter.paintHighlights(into: &canvas, cells: highlighted)
            var img = canvas.image()
            let ts = Swift.max(1, Int((2.6 * s).rounded()))
            img.drawText(
                "STASH", x: Int(panelWidth / 2) - Image.textWidth("STASH", scale: ts) / 2, y: Int(24 * s),
                color: [206, 178, 120], scale: ts)
            img.drawText(
                "PIXELPILOT ARENA", x: Int(20 * s), y: Int(80 * s), color: [120, 110, 90],
                scale: Swift.max(1, Int(1.4 * s)))
            bases[kind] = img
        }
    }

    /// The window's picture for `state`, with the held item at the pointer.
    func render(_ state: StashState, pointer: (x: Int, y: Int)) -> Image {
        guard var img = bases[.empty], let item = bases[.item], let unusable = bases[.unusable] else {
            return Image(width: width, height: height)
        }
        for (i, cell) in state.cells.enumerated() {
            guard let cell else { continue }
            let c = i % state.columns
            let r = i / state.columns
            let x0 = Int((grid.originX + Double(c) * grid.pitch).rounded(.down))
            let y0 = Int((grid.originY + Double(r) * grid.pitch).rounded(.down))
            let x1 = Int((grid.originX + Double(c) * grid.pitch + grid.cellSize).rounded(.up))
            let y1 = Int((grid.originY + Double(r) * grid.pitch + grid.cellSize).rounded(.up))
            GameWindowPainter.copy(from: cell.look.unusable ? unusable : item, to: &img, x0: x0, y0: y0, x1: x1, y1: y1)
        }
        for (i, cell) in state.cells.enumerated() {
            guard let cell else { continue }
            let key = cell.id &* 4096 &+ i
            if sprites[key] == nil {
                let centre = grid.center(column: i % state.columns, row: i / state.columns)
                sprites[key] = painter.sprite(cell, centreX: centre.x, centreY: centre.y)
            }
            if let (sprite, x, y) = sprites[key] { sprite.composite(onto: &img, x: x, y: y) }
        }
        if let held = state.cursor {
            let key = -held.id
            if sprites[key] == nil { sprites[key] = painter.sprite(held, centreX: 0, centreY: 0) }
            if let (sprite, x, y) = sprites[key] { sprite.composite(onto: &img, x: x + pointer.x, y: y + pointer.y) }
        }
        return img
    }

    static func copy(from src: Image, to dst: inout Image, x0: Int, y0: Int, x1: Int, y1: Int) {
        let a = Swift.max(0, x0)
        let b = Swift.min(dst.width, x1)
        guard a < b else { return }
        for y in Swift.max(0, y0)..<Swift.min(dst.height, y1) {
            let o = (y * dst.width + a) * 3
            let n = (b - a) * 3
            dst.pixels.replaceSubrange(o..<(o + n), with: src.pixels[o..<(o + n)])
        }
    }
}

extension Sprite {
    /// Composites the premultiplied sprite onto an 8-bit RGB picture.
    func composite(onto img: inout Image, x: Int, y: Int) {
        let w = img.width
        let h = img.height
        img.pixels.withUnsafeMutableBufferPointer { d in
            for sy in 0..<size {
                let ty = y + sy
                guard ty >= 0, ty < h else { continue }
                for sx in 0..<size {
                    let tx = x + sx
                    guard tx >= 0, tx < w else { continue }
                    let a = alpha[sy * size + sx]
                    guard a > 0.002 else { continue }
                    let s = 3 * (sy * size + sx)
                    let t = 3 * (ty * w + tx)
                    for ch in 0..<3 {
                        let v = Float(d[t + ch]) * (1 - a) + px[s + ch]
                        d[t + ch] = UInt8(Swift.max(0, Swift.min(255, v.rounded())))
                    }
                }
            }
        }
    }
}
