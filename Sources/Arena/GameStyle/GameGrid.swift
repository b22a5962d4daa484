/// Where a grid of cells is in a picture, in exact (fractional) pixels: what the game-style
/// renderer draws, and the truth grid detection is measured against.
public struct GameGrid: Equatable, Sendable, Codable {
    /// Top-left corner of cell (0, 0)'s interior (just past the border line).
    public var originX: Double, originY: Double
    /// Distance between the starts of neighbouring cells.
    public var pitch: Double
    /// Width of the dark border line between cells.
    public var lineWidth: Double
    public var columns: Int, rows: Int

    public init(originX: Double, originY: Double, pitch: Double, lineWidth: Double, columns: Int, rows: Int) {
        self.originX = originX
        self.originY = originY
        self.pitch = pitch
        self.lineWidth = lineWidth
        self.columns = columns
        self.rows = rows
    }

    /// The cell's interior size.
    public var cellSize: Double { pitch - lineWidth }

    /// The exact centre of cell (column, row).
    public func center(column: Int, row: Int) -> (x: Double, y: Double) {
        (originX + Double(column) * pitch + cellSize / 2, originY + Double(row) * pitch + cellSize / 2)
    }

    /// The cell containing the point, if it is inside a cell's interior (not on a border line).
    public func cell(atX x: Double, y: Double) -> (column: Int, row: Int)? {
        let gx = x - originX
        let gy = y - originY
        guard gx >= 0, gy >= 0 else { return nil }
        let c = Int(gx / pitch)
        let r = Int(gy / pitch)
        guard c < columns, r < rows, gx - Double(c) * pitch < cellSize, gy - Double(r) * pitch < cellSize else {
            return nil
        }
        return (c, r)
    }

    /// The same grid moved by (dx, dy).
    public func offsetBy(x dx: Double, y dy: Double) -> GameGrid {
        var g = self
        g.originX += dx
        g.originY += dy
        return g
    }
}

/// The grids Path of Exile shows, as placed on a screen of a given size (the UI scales with the
/// screen height from its 1920×1080 layout; the inventory is anchored to the right edge).
public enum GameTab: String, Sendable, CaseIterable, Codable {
    /// A normal 12×12 stash tab (632 px wide at 1080p: pitch 52.67).
    case normal
    /// A quad stash tab: 24×24 cells in the same area.
    case quad
    /// The character's 12×5 inventory.
    case inventory

    public var columns: Int { self == .quad ? 24 : 12 }
    public var rows: Int { self == .quad ? 24 : self == .inventory ? 5 : 12 }

    /// The grid on a `width`×`height` screen.
    public func grid(screenWidth width: Int, height: Int) -> GameGrid {
        let s = Double(height) / 1080
        let line = Swift.max(1, 1.3 * s)
        switch self {
        case .normal:
            return GameGrid(
                originX: 18 * s + line, originY: 128 * s + line, pitch: 632.0 / 12 * s, lineWidth: line, columns: 12,
                rows: 12)
        case .quad:
            let ql = Swift.max(1, 0.9 * s)
            return GameGrid(
                originX: 18 * s + ql, originY: 128 * s + ql, pitch: 632.0 / 24 * s, lineWidth: ql, columns: 24, rows: 24
            )
        case .inventory:
            return GameGrid(
                originX: Double(width) - 647 * s + line, originY: 588 * s + line, pitch: 630.0 / 12 * s,
                lineWidth: line,
                columns: 12, rows: 5)
        }
    }
}
