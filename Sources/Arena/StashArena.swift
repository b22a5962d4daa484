import Desktop
import Foundation
import Imaging

/// Faults the arena can inject, to test that the sorter notices and recovers.
public struct ArenaFaults: Sendable {
    /// Probability that a click is ignored.
    public var dropClickProbability: Double = 0
    /// Delay before a click takes effect (a slow UI), seconds.
    public var clickDelay: Double = 0
    public init(dropClickProbability: Double = 0, clickDelay: Double = 0) {
        self.dropClickProbability = dropClickProbability
        self.clickDelay = clickDelay
    }
}

/// A real X11 window that behaves like a Path of Exile stash tab: dark cells with thin borders,
/// procedurally drawn gems, the game's click rules (pick up, put down, swap with the cursor; the
/// held item follows the pointer), and Ctrl+C over an item puts its text on the clipboard.
///
/// Its true state (``state``) is for tests only; the sorter sees only pixels.
public final class StashArena: @unchecked Sendable {
    /// How the arena draws the stash.
    public enum Style: String, Sendable, CaseIterable {
        /// Flat cells on whole pixels (52 px cells, 1 px lines at 1080p).
        case plain
        /// Like the game: fractional pitch, thin dark lines with a gradient, ornate gems whose glow
        /// and filigree cross the borders, the dim empty-slot emblem, a frame, highlighted cells.
        case game
    }

    /// Grid geometry inside the window.
    public struct Layout: Sendable {
        public var origin = (x: 18, y: 128)
        public var cellSize = 52
        /// Distance between cell origins (cell plus a 1-pixel border line).
        public var pitch: Int { cellSize + 1 }
        public var style = Style.plain
        /// Game style: the UI scale (1 = the game at 1080p, 2 = 4K).
        public var scale = 1.0
        /// Game style: cells with the search highlight (row-major indices).
        public var highlighted: Set<Int> = []
        public init(cellSize: Int = 52) { self.cellSize = cellSize }

        /// The game style at a UI scale (pitch 52.67 × scale for 12 columns, half for a quad tab).
        public static func game(scale: Double, highlighted: Set<Int> = []) -> Layout {
            var l = Layout()
            l.style = .game
            l.scale = scale
            l.highlighted = highlighted
            return l
        }

        /// The exact grid inside the window for `columns`×`rows` cells.
        public func grid(columns: Int, rows: Int) -> GameGrid {
            switch style {
            case .plain:
                return plainGrid(columns: columns, rows: rows)
            case .game:
                let tab: GameTab = columns > 12 || rows > 12 ? .quad : .normal
                var g = tab.grid(screenWidth: 0, height: Int((1080 * scale).rounded()))
                g.columns = columns
                g.rows = rows
                return g
            }
        }

        /// The plain style's grid (whole-pixel cells, 1-pixel lines) for `columns`×`rows` cells, whatever ``style``
        /// is: the grid of ``StashArena/picture(of:pointer:layout:width:height:empty:sprite:)``.
        func plainGrid(columns: Int, rows: Int) -> GameGrid {
            GameGrid(
                originX: Double(origin.x), originY: Double(origin.y), pitch: Double(pitch), lineWidth: 1,
                columns: columns, rows: rows)
        }
    }

    public let layout: Layout
    public let window: X11PictureWindow
    public let faults: ArenaFaults
    private let lock = NSLock()
    /// The state and the rules that change it (under ``lock``).
    private var game: StashRules
    private var pointer = (x: -100, y: -100)
    private var sprites: [Int: Image] = [:]
    private let emptySprite: Image
    /// The exact grid inside the window.
    public let grid: GameGrid
    private var gamePainter: GameWindowPainter?
    private let clipboard: X11Clipboard
    /// Clicks and redraws happen in order on one queue, so the screen never shows an older state
    /// after a newer one.
    private let queue = DispatchQueue(label: "pixelpilot.arena")
    private let displayName: String
    /// Clicks the arena received and applied.
    public var appliedClicks: Int { lock.withLock { game.appliedClicks } }
    /// Clicks the arena dropped (fault injection).
    public var droppedClicks: Int { lock.withLock { game.droppedClicks } }

    /// The window's size for a grid of `columns`×`rows`.
    public static func windowSize(columns: Int, rows: Int, layout: Layout = Layout()) -> (width: Int, height: Int) {
        switch layout.style {
        case .plain:
            return (layout.origin.x + columns * layout.pitch + 150, layout.origin.y + rows * layout.pitch + 30)
        case .game:
            let g = layout.grid(columns: columns, rows: rows)
            let right = g.originX + Double(columns) * g.pitch
            let bottom = g.originY + Double(rows) * g.pitch
            return (Int(right + Swift.max(150, 115 * layout.scale)), Int(bottom + 30 * layout.scale))
        }
    }

    /// Opens the arena window at `position` on `display` showing `state`.
    public init(
        display: String, state: StashState, position: ScreenPoint = ScreenPoint(x: 20, y: 20),
        layout: Layout = Layout(),
        faults: ArenaFaults = ArenaFaults(), seed: UInt64 = 1
    ) throws {
        self.layout = layout
        self.faults = faults
        self.displayName = display
        clipboard = try X11Clipboard(displayName: display)
        emptySprite = GemArt.cell(.empty, size: layout.cellSize)
        grid = layout.grid(columns: state.columns, rows: state.rows)
        game = StashRules(state: state, grid: grid, faults: faults, seed: seed)
        let size = StashArena.windowSize(columns: state.columns, rows: state.rows, layout: layout)
        if layout.style == .game {
            gamePainter = GameWindowPainter(
                grid: grid, width: size.width, height: size.height, highlighted: layout.highlighted, seed: seed)
        }
        let rect = ScreenRect(x: position.x, y: position.y, width: size.width, height: size.height)
        window = try X11PictureWindow(
            display: display, rect: rect, picture: Image(width: size.width, height: size.height, color: [8, 7, 6]),
            title: "Path of Exile - Stash (PixelPilot arena)", className: "PixelPilotArena")
        queue.sync { render() }
        window.onEvent = { [weak self] e in self?.handle(e) }
    }

    deinit { close() }

    /// Closes the window.
    public func close() {
        clipboard.stopOwning()
        window.close()
    }

    /// The true state (tests only).
    public var state: StashState { lock.withLock { game.state } }

    /// Screen rectangle of cell (column, row).
    public func cellRect(column: Int, row: Int) -> ScreenRect {
        let x = grid.originX + Double(column) * grid.pitch
        let y = grid.originY + Double(row) * grid.pitch
        let x0 = Int(x.rounded())
        let y0 = Int(y.rounded())
        return ScreenRect(
            x: window.rect.x + x0, y: window.rect.y + y0,
            width: Int((x + grid.cellSize).rounded()) - x0, height: Int((y + grid.cellSize).rounded()) - y0)
    }

    /// Screen position of the grid's top-left cell corner (rounded to whole pixels).
    public var gridOrigin: ScreenPoint {
        ScreenPoint(x: window.rect.x + Int(grid.originX.rounded()), y: window.rect.y + Int(grid.originY.rounded()))
    }

    /// The exact grid on the screen.
    public var screenGrid: GameGrid { grid.offsetBy(x: Double(window.rect.x), y: Double(window.rect.y)) }

    private func handle(_ e: X11PictureWindow.Event) {
        switch e {
        case .buttonPress(1, let x, let y):
            guard lock.withLock({ game.takesPress() }) else { return }
            if faults.clickDelay > 0 {
                queue.asyncAfter(deadline: .now() + faults.clickDelay) { [weak self] in self?.apply(x: x, y: y) }
            } else {
                queue.sync { apply(x: x, y: y) }
            }
        case .motion(let x, let y):
            lock.lock()
            pointer = (x, y)
            let holding = game.state.cursor != nil
            lock.unlock()
            if holding { queue.sync { render() } }
        case .keyPress(let key, let control) where control && key.name == "c":
            if let text = lock.withLock({ game.copiedText(x: pointer.x, y: pointer.y) }) { copyToClipboard(text) }
        default:
            break
        }
    }

    private func apply(x: Int, y: Int) {
        // The held item follows the pointer's latest position (from motion events), not the
        // position of a click that a slow UI applies late.
        if lock.withLock({ game.click(x: x, y: y) }) { render() }
    }

    private func copyToClipboard(_ text: String) {
        try? clipboard.own(text)
    }

    private func sprite(_ item: StashItem) -> Image {
        if let s = sprites[item.id] { return s }
        let s = GemArt.cell(.gem(item.look), size: layout.cellSize)
        sprites[item.id] = s
        return s
    }

    /// Redraws the whole window from the state (on ``queue``).
    private func render() {
        lock.lock()
        if let gamePainter {
            let img = gamePainter.render(game.state, pointer: pointer)
            lock.unlock()
            window.setPicture(img)
            return
        }
        let img = StashArena.picture(
            of: game.state, pointer: pointer, layout: layout, width: window.rect.width,
            height: window.rect.height, empty: emptySprite, sprite: sprite)
        lock.unlock()
        window.setPicture(img)
    }

    /// The window's picture for `state` in the plain style, with a held item drawn at `pointer`
    /// (window coordinates). The X11 arena and the in-memory ``StashSimulator`` draw the same pictures.
    static func picture(
        of state: StashState, pointer p: (x: Int, y: Int), layout: Layout, width: Int, height: Int,
        empty: Image, sprite: (StashItem) -> Image
    ) -> Image {
        var img = Image(width: width, height: height, color: [8, 7, 6])
        img.drawText("STASH", x: layout.origin.x, y: 40, color: [200, 170, 110], scale: 3)
        img.drawText("PIXELPILOT ARENA", x: layout.origin.x, y: 80, color: [120, 110, 90], scale: 2)
        // Border lines, then cells.
        img.fillRect(
            x: layout.origin.x - 1, y: layout.origin.y - 1, width: state.columns * layout.pitch + 1,
            height: state.rows * layout.pitch + 1, color: [40, 34, 24])
        for r in 0..<state.rows {
            for c in 0..<state.columns {
                let s = state.cells[r * state.columns + c].map(sprite) ?? empty
                img.draw(s, atX: layout.origin.x + c * layout.pitch, y: layout.origin.y + r * layout.pitch)
            }
        }
        if let held = state.cursor {
            img.draw(sprite(held), atX: p.x - layout.cellSize / 2, y: p.y - layout.cellSize / 2)
        }
        return img
    }
}
