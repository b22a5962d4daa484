import Desktop

/// Where a stash grid is on screen: the top-left corner of cell (0, 0), the cell size, the distance
/// between cells, and the number of columns and rows.
public struct GridGeometry: Equatable, Sendable {
    public var originX: Int, originY: Int
    public var cellSize: Int
    public var pitch: Int
    public var columns: Int, rows: Int

    public init(originX: Int, originY: Int, cellSize: Int = 52, pitch: Int = 53, columns: Int = 12, rows: Int = 12) {
        self.originX = originX; self.originY = originY; self.cellSize = cellSize; self.pitch = pitch
        self.columns = columns; self.rows = rows
    }

    /// Parses `X,Y[,CELL[,PITCH[,COLUMNS[,ROWS]]]]`, e.g. the seed's `18,128,52,53,12,12`.
    public init?(parsing s: String) {
        let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count >= 2, v.count == s.split(separator: ",").count else { return nil }
        self.init(originX: v[0], originY: v[1], cellSize: v.count > 2 ? v[2] : 52, pitch: v.count > 3 ? v[3] : (v.count > 2 ? v[2] + 1 : 53),
                  columns: v.count > 4 ? v[4] : 12, rows: v.count > 5 ? v[5] : 12)
        guard cellSize > 0, pitch >= cellSize, columns > 0, rows > 0 else { return nil }
    }

    public func rect(_ c: GridCell) -> ScreenRect {
        ScreenRect(x: originX + c.column * pitch, y: originY + c.row * pitch, width: cellSize, height: cellSize)
    }

    /// The click point: the cell's centre (the seed found dead spots near the edges).
    public func center(_ c: GridCell) -> ScreenPoint {
        ScreenPoint(x: originX + c.column * pitch + cellSize / 2, y: originY + c.row * pitch + cellSize / 2)
    }

    /// Where the pointer rests while clicks are checked: beside the grid's right edge, level with
    /// the first row, kept inside `window` (so a focus binding allows it).
    public func parkingPoint(inside window: ScreenRect) -> ScreenPoint {
        let b = bounds
        return ScreenPoint(x: Swift.min(b.x + b.width + 75, window.x + window.width - 30), y: b.y + cellSize / 2)
    }

    /// The whole grid's rectangle.
    public var bounds: ScreenRect {
        ScreenRect(x: originX, y: originY, width: (columns - 1) * pitch + cellSize, height: (rows - 1) * pitch + cellSize)
    }
}
