/// Where sorted items go: the seed's layouts, generalised to any sort key.
public struct SortLayout: Sendable {
    /// Fill order of cells.
    public enum Direction: String, Sendable, CaseIterable {
        /// Down each column, then the next column (the seed's default).
        case vertical
        /// Along each row, then the next row.
        case horizontal
    }

    public var direction: Direction
    /// Each group starts a new column (vertical) or row (horizontal), as in the seed.
    public var gapBetweenGroups: Bool

    public init(direction: Direction = .vertical, gapBetweenGroups: Bool = true) {
        self.direction = direction
        self.gapBetweenGroups = gapBetweenGroups
    }

    /// Assigns sorted items to cells.
    ///
    /// - Parameters:
    ///   - items: the items, already in sorted order.
    ///   - group: the group of an item; a new group starts a new column/row when ``gapBetweenGroups``.
    /// - Returns: the target item of every cell (nil = stays empty).
    /// - Throws: ``StashSorterError/doesNotFit(items:columns:rows:reserved:gaps:)`` when items and gaps need more cells than the grid has
    ///   (the seed did not check and clicked outside the grid).
    ///   - reserved: cells that keep what they hold (unrecognised items); the layout flows around them.
    public func targets<Item, Group: Equatable>(for items: [Item], columns: Int, rows: Int, reserved: Set<Int> = [],
                                                group: (Item) -> Group) throws -> [Item?] {
        var result = [Item?](repeating: nil, count: columns * rows)
        let lineLength = direction == .vertical ? rows : columns
        let lines = direction == .vertical ? columns : rows
        var line = 0, pos = 0
        var lastGroup: Group?
        for item in items {
            let g = group(item)
            if gapBetweenGroups, let last = lastGroup, last != g, pos != 0 {
                line += 1
                pos = 0
            }
            lastGroup = g
            guard line < lines else {
                throw StashSorterError.doesNotFit(items: items.count, columns: columns, rows: rows, reserved: reserved.count, gaps: gapBetweenGroups)
            }
            var cell = direction == .vertical ? GridCell(column: line, row: pos) : GridCell(column: pos, row: line)
            while reserved.contains(cell.row * columns + cell.column) {
                pos += 1
                if pos == lineLength { pos = 0; line += 1 }
                guard line < lines else {
                    throw StashSorterError.doesNotFit(items: items.count, columns: columns, rows: rows, reserved: reserved.count, gaps: gapBetweenGroups)
                }
                cell = direction == .vertical ? GridCell(column: line, row: pos) : GridCell(column: pos, row: line)
            }
            result[cell.row * columns + cell.column] = item
            pos += 1
            if pos == lineLength { pos = 0; line += 1 }
        }
        return result
    }
}
