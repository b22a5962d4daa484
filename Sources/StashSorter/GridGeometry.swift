import Arena
import Desktop

/// Where a stash grid is on screen: the top-left corner of cell (0, 0), the cell size, the distance
/// between cells, and the number of columns and rows.
///
/// Origin, cell size and pitch are in screen pixels and may be fractional: the game's 12×12 tab is
/// about 632 px wide at 1080p, a pitch of 52.67 px. Every cell's position is computed from the
/// origin as `origin + index * pitch` (never by adding rounded steps), so crops and click points do
/// not drift across the grid.
public struct GridGeometry: Equatable, Sendable {
    public var originX: Double, originY: Double
    public var cellSize: Double
    public var pitch: Double
    public var columns: Int, rows: Int

    public init(
        originX: Double, originY: Double, cellSize: Double = 52, pitch: Double = 53, columns: Int = 12, rows: Int = 12
    ) {
        self.originX = originX
        self.originY = originY
        self.cellSize = cellSize
        self.pitch = pitch
        self.columns = columns
        self.rows = rows
    }

    /// A grid on whole pixels.
    public init(originX: Int, originY: Int, cellSize: Int = 52, pitch: Int = 53, columns: Int = 12, rows: Int = 12) {
        self.init(
            originX: Double(originX), originY: Double(originY), cellSize: Double(cellSize), pitch: Double(pitch),
            columns: columns, rows: rows)
    }

    /// The grid an arena drew (Arena's exact ``GameGrid``): its origin, pitch and counts, and its cells'
    /// interiors as the cell size.
    public init(_ grid: GameGrid) {
        self.init(
            originX: grid.originX, originY: grid.originY, cellSize: grid.cellSize, pitch: grid.pitch,
            columns: grid.columns, rows: grid.rows)
    }

    /// Parses `X,Y[,CELL[,PITCH[,COLUMNS[,ROWS]]]]`, e.g. the seed's `18,128,52,53,12,12` or the
    /// measured 1080p tab `18,128,52,52.67,12,12`. X, Y, CELL and PITCH may be fractional; without
    /// PITCH it is CELL + 1. Nil when a field is not a number or the geometry is impossible.
    public init?(parsing s: String) {
        let fields = s.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard (2...6).contains(fields.count) else { return nil }
        let v = fields.prefix(4).compactMap { Double($0) }
        guard v.count == min(fields.count, 4), v.allSatisfy(\.isFinite) else { return nil }
        let counts = fields.dropFirst(4).compactMap { Int($0) }
        guard counts.count == max(0, fields.count - 4) else { return nil }
        let cell = v.count > 2 ? v[2] : 52
        self.init(
            originX: v[0], originY: v[1], cellSize: cell, pitch: v.count > 3 ? v[3] : cell + 1,
            columns: counts.count > 0 ? counts[0] : 12, rows: counts.count > 1 ? counts[1] : 12)
        guard cellSize >= 4, pitch >= cellSize, columns > 0, rows > 0, columns <= 100, rows <= 100 else { return nil }
    }

    /// The exact top-left corner of a cell.
    public func cellOrigin(_ c: GridCell) -> (x: Double, y: Double) {
        (originX + Double(c.column) * pitch, originY + Double(c.row) * pitch)
    }

    /// The exact centre of a cell.
    public func exactCenter(_ c: GridCell) -> (x: Double, y: Double) {
        let o = cellOrigin(c)
        return (o.x + cellSize / 2, o.y + cellSize / 2)
    }

    /// The whole pixels a cell covers most of: its exact rectangle with the edges rounded.
    public func rect(_ c: GridCell) -> ScreenRect {
        let o = cellOrigin(c)
        let x0 = Int((o.x).rounded())
        let y0 = Int((o.y).rounded())
        let x1 = Int((o.x + cellSize).rounded())
        let y1 = Int((o.y + cellSize).rounded())
        return ScreenRect(x: x0, y: y0, width: Swift.max(1, x1 - x0), height: Swift.max(1, y1 - y0))
    }

    /// The click point: the pixel holding the cell's exact centre (the seed found dead spots near
    /// the edges). On whole-pixel grids this is the seed's `origin + cell / 2` rounded down.
    public func center(_ c: GridCell) -> ScreenPoint {
        let p = exactCenter(c)
        return ScreenPoint(x: Int(p.x.rounded(.down)), y: Int(p.y.rounded(.down)))
    }

    /// Where the pointer rests while clicks are checked: beside the grid's right edge (at least
    /// 75 px or one and a half cells away), level with the first row, kept inside `window` (so a
    /// focus binding allows it).
    public func parkingPoint(inside window: ScreenRect) -> ScreenPoint {
        let b = bounds
        let offset = Swift.max(75, Int(1.5 * pitch))
        return ScreenPoint(
            x: Swift.min(b.x + b.width + offset, window.x + window.width - 30), y: b.y + Int(cellSize / 2))
    }

    /// The whole pixels the grid touches.
    public var bounds: ScreenRect {
        let x0 = Int(originX.rounded(.down))
        let y0 = Int(originY.rounded(.down))
        let x1 = Int((originX + Double(columns - 1) * pitch + cellSize).rounded(.up))
        let y1 = Int((originY + Double(rows - 1) * pitch + cellSize).rounded(.up))
        return ScreenRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// The same grid moved by (dx, dy) pixels (e.g. from window to screen coordinates).
    public func offsetBy(x dx: Double, y dy: Double) -> GridGeometry {
        var g = self
        g.originX += dx
        g.originY += dy
        return g
    }

    /// `X,Y,CELL,PITCH,COLUMNS,ROWS` with two decimals, the form `--grid` reads.
    public var argument: String {
        func f(_ v: Double) -> String {
            let s = String(format: "%.2f", v)
            return s.hasSuffix(".00") ? String(s.dropLast(3)) : s
        }
        return "\(f(originX)),\(f(originY)),\(f(cellSize)),\(f(pitch)),\(columns),\(rows)"
    }
}
