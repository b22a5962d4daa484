import SeededRandom
import Imaging

/// A whole game screen with the stash open, drawn like Path of Exile at any resolution: the stash
/// panel on the left (a 12×12 or quad tab, with its title, tab buttons and ornamental frame), the
/// inventory panel on the right (equipment boxes and the 12×5 inventory), and the game world
/// between them. No X server is needed; the stash arena's game style draws its window with the
/// same painter.
public struct GameScreenshot {
    public var width: Int
    public var height: Int
    /// The open stash tab (`.normal` or `.quad`).
    public var tab: GameTab
    public var stash: StashState
    /// The inventory's contents (12×5); nil draws it empty.
    public var inventory: StashState?
    /// Stash cells (row-major indices) shown with the search highlight.
    public var highlighted: Set<Int>
    public var seed: UInt64

    public init(
        width: Int, height: Int, tab: GameTab = .normal, stash: StashState, inventory: StashState? = nil,
        highlighted: Set<Int> = [], seed: UInt64 = 1
    ) {
        self.width = width
        self.height = height
        self.tab = tab
        self.stash = stash
        self.inventory = inventory
        self.highlighted = highlighted
        self.seed = seed
    }

    /// The stash grid's exact place on this screen.
    public var stashGrid: GameGrid { tab.grid(screenWidth: width, height: height) }
    /// The inventory grid's exact place on this screen.
    public var inventoryGrid: GameGrid { GameTab.inventory.grid(screenWidth: width, height: height) }

    /// Draws the screen.
    public func render() -> Image {
        let s = Double(height) / 1080
        var canvas = GameCanvas(width: width, height: height, color: [0, 0, 0])
        GameScreenshot.paintScene(into: &canvas, seed: seed)
        var texts: [(String, Int, Int, Color, Int)] = []
        // Stash panel.
        let stashPanel = (x: 0.0, y: 0.0, w: 668 * s, h: 860 * s)
        GameScreenshot.paintPanel(
            into: &canvas, x: stashPanel.x, y: stashPanel.y, width: stashPanel.w, height: stashPanel.h, seed: seed,
            scale: s)
        let ts = Swift.max(1, Int((2.6 * s).rounded()))
        texts.append(
            ("STASH", Int(334 * s) - Image.textWidth("STASH", scale: ts) / 2, Int(24 * s), [206, 178, 120], ts))
        for k in 0..<5 {
            let bx = 22 * s + Double(k) * 96 * s
            let by = 72 * s
            GameScreenshot.paintButton(into: &canvas, x: bx, y: by, width: 88 * s, height: 30 * s, lit: k == 0)
            let label = ["1", "2", "CURRENCY", "MAPS", "GEMS"][k]
            let ls = Swift.max(1, Int((1.4 * s).rounded()))
            texts.append(
                (
                    label, Int(bx + 44 * s) - Image.textWidth(label, scale: ls) / 2, Int(by + 10 * s), [170, 150, 110],
                    ls
                ))
        }
        let stashPainter = GameStashPainter(grid: stashGrid)
        GameScreenshot.paintGrid(stashPainter, state: stash, highlighted: highlighted, into: &canvas, seed: seed)
        // Inventory panel with equipment boxes.
        let ix = Double(width) - 668 * s
        GameScreenshot.paintPanel(
            into: &canvas, x: ix, y: 0, width: 668 * s, height: 1040 * s, seed: seed ^ 0x1A, scale: s)
        texts.append(
            (
                "INVENTORY", Int(ix + 334 * s) - Image.textWidth("INVENTORY", scale: ts) / 2, Int(24 * s),
                [206, 178, 120], ts
            ))
        for (bx, by, bw, bh) in [
            (280.0, 90.0, 105.0, 105.0), (280, 210, 105, 160), (150, 150, 105, 210), (410, 150, 105, 210),
            (280, 385, 105, 50), (150, 380, 50, 50), (465, 380, 50, 50), (30, 455, 300, 50),
        ] {
            GameScreenshot.paintButton(
                into: &canvas, x: ix + bx * s, y: by * s, width: bw * s, height: bh * s, lit: false)
        }
        let inv = inventory ?? StashState(columns: 12, rows: 5, cells: Array(repeating: nil, count: 60))
        GameScreenshot.paintGrid(
            GameStashPainter(grid: inventoryGrid), state: inv, highlighted: [], into: &canvas, seed: seed ^ 0x77)
        canvas.addNoise(sigma: 1.0, seed: seed ^ 0x5EED)
        var img = canvas.image()
        for (t, x, y, c, k) in texts { img.drawText(t, x: x, y: y, color: c, scale: k) }
        return img
    }

    /// Cells, frame, items and highlights of one grid.
    static func paintGrid(
        _ painter: GameStashPainter, state: StashState, highlighted: Set<Int>, into canvas: inout GameCanvas,
        seed: UInt64
    ) {
        let kinds: [GameStashPainter.Kind] = state.cells.map {
            $0 == nil ? .empty : ($0!.look.unusable ? .unusable : .item)
        }
        painter.paintFrame(into: &canvas)
        painter.paintCells(into: &canvas, kinds: kinds, seed: seed)
        for (i, item) in state.cells.enumerated() {
            guard let item else { continue }
            let c = painter.grid.center(column: i % state.columns, row: i / state.columns)
            let (sprite, x, y) = painter.sprite(item, centreX: c.x, centreY: c.y)
            canvas.composite(sprite, atX: x, y: y)
        }
        painter.paintHighlights(into: &canvas, cells: highlighted)
    }

    /// The game world behind the panels: soft, colourful and textured (drawn small, then enlarged).
    static func paintScene(into canvas: inout GameCanvas, seed: UInt64) {
        let w = Swift.max(2, canvas.width / 8)
        let h = Swift.max(2, canvas.height / 8)
        var small = Image(width: w, height: h, channels: 3)
        for y in 0..<h {
            for x in 0..<w {
                let a = ValueNoise.smooth(Double(x), Double(y), scale: Double(h) / 4, seed: seed ^ 1)
                let b = ValueNoise.smooth(Double(x), Double(y), scale: Double(h) / 7, seed: seed ^ 2)
                let c = ValueNoise.smooth(Double(x), Double(y), scale: Double(h) / 12, seed: seed ^ 3)
                let o = 3 * (y * w + x)
                small.pixels[o] = UInt8(Swift.min(255, 30 + 110 * a * b + 40 * c))
                small.pixels[o + 1] = UInt8(Swift.min(255, 28 + 80 * b + 30 * c))
                small.pixels[o + 2] = UInt8(Swift.min(255, 20 + 60 * a * c))
            }
        }
        let big = small.resized(width: canvas.width, height: canvas.height)
        for i in 0..<canvas.px.count { canvas.px[i] = Float(big.pixels[i]) }
    }

    /// A panel: dark stone with a gold-brown edge.
    static func paintPanel(
        into canvas: inout GameCanvas, x: Double, y: Double, width w: Double, height h: Double, seed: UInt64,
        scale s: Double
    ) {
        let x0 = Swift.max(0, Int(x))
        let x1 = Swift.min(canvas.width, Int((x + w).rounded(.up)))
        let y0 = Swift.max(0, Int(y))
        let y1 = Swift.min(canvas.height, Int((y + h).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        let edge = 4 * s
        for yy in y0..<y1 {
            for xx in x0..<x1 {
                let n = ValueNoise.smooth(Double(xx), Double(yy), scale: 38 * s, seed: seed ^ 0x57)
                let grain = ValueNoise.hash(xx, yy, seed) - 0.5
                let v = 14 + 12 * n + 5 * grain
                var c: [Float] = [v * 1.1, v * 0.95, v * 0.8]
                let d = Swift.min(
                    Swift.min(Double(xx) + 0.5 - x, x + w - Double(xx) - 0.5),
                    Swift.min(Double(yy) + 0.5 - y, y + h - Double(yy) - 0.5))
                if d < edge { c = d < edge / 3 ? [30, 22, 12] : [132, 100, 56] }
                let o = 3 * (yy * canvas.width + xx)
                canvas.px[o] = c[0]
                canvas.px[o + 1] = c[1]
                canvas.px[o + 2] = c[2]
            }
        }
    }

    /// A button or equipment box: dark inside, thin bright edge.
    static func paintButton(
        into canvas: inout GameCanvas, x: Double, y: Double, width w: Double, height h: Double, lit: Bool
    ) {
        let e = Swift.max(1, w / 60)
        canvas.fillRect(x: x, y: y, width: w, height: h, lit ? [46, 36, 22] : [12, 10, 9])
        let c: [Float] = lit ? [200, 160, 90] : [92, 72, 44]
        canvas.fillRect(x: x, y: y, width: w, height: e, c)
        canvas.fillRect(x: x, y: y + h - e, width: w, height: e, c)
        canvas.fillRect(x: x, y: y, width: e, height: h, c)
        canvas.fillRect(x: x + w - e, y: y, width: e, height: h, c)
    }
}
