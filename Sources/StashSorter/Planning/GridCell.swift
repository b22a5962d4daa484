/// A cell of a stash grid: column and row from the top-left, 0-based.
public struct GridCell: Hashable, Sendable, CustomStringConvertible {
    public var column: Int
    public var row: Int
    public init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }
    public var description: String { "(\(column),\(row))" }

    /// Straight-line distance in cells.
    public func distance(to other: GridCell) -> Double {
        let dc = Double(column - other.column)
        let dr = Double(row - other.row)
        return (dc * dc + dr * dr).squareRoot()
    }
}

/// What a stash holds: one optional item per cell, row-major.
public struct StashGrid<Item: Hashable & Sendable>: Equatable, Sendable {
    public let columns: Int
    public let rows: Int
    public private(set) var cells: [Item?]

    public init(columns: Int, rows: Int, cells: [Item?]) {
        precondition(cells.count == columns * rows, "\(cells.count) cells do not fill a \(columns)x\(rows) grid")
        self.columns = columns
        self.rows = rows
        self.cells = cells
    }

    public init(columns: Int, rows: Int) {
        self.init(columns: columns, rows: rows, cells: Array(repeating: nil, count: columns * rows))
    }

    public func index(_ c: GridCell) -> Int { c.row * columns + c.column }
    public func cell(at index: Int) -> GridCell { GridCell(column: index % columns, row: index / columns) }
    public var allCells: [GridCell] { (0..<cells.count).map(cell(at:)) }

    public subscript(_ c: GridCell) -> Item? {
        get { cells[index(c)] }
        set { cells[index(c)] = newValue }
    }

    /// Items in reading order (row by row, left to right).
    public var items: [Item] { cells.compactMap { $0 } }
}
