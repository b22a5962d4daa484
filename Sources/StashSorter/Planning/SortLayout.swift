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
    /// - Throws: ``StashSorterError/doesNotFit(_:)`` when items and gaps need more cells than the grid has
    ///   (the seed did not check and clicked outside the grid).
    ///   - reserved: cells that keep what they hold (unrecognised items); the layout flows around them.
    public func targets<Item, Group: Equatable>(
        for items: [Item], columns: Int, rows: Int, reserved: Set<Int> = [],
        group: (Item) -> Group
    ) throws -> [Item?] {
        var result = [Item?](repeating: nil, count: columns * rows)
        let lineLength = direction == .vertical ? rows : columns
        let lines = direction == .vertical ? columns : rows
        var line = 0
        var pos = 0
        var lastGroup: Group?
        for item in items {
            let g = group(item)
            if gapBetweenGroups, let last = lastGroup, last != g, pos != 0 {
                line += 1
                pos = 0
            }
            lastGroup = g
            guard line < lines else {
                throw overflow(for: items, columns: columns, rows: rows, reserved: reserved, group: group)
            }
            var cell = direction == .vertical ? GridCell(column: line, row: pos) : GridCell(column: pos, row: line)
            while reserved.contains(cell.row * columns + cell.column) {
                pos += 1
                if pos == lineLength {
                    pos = 0
                    line += 1
                }
                guard line < lines else {
                    throw overflow(for: items, columns: columns, rows: rows, reserved: reserved, group: group)
                }
                cell = direction == .vertical ? GridCell(column: line, row: pos) : GridCell(column: pos, row: line)
            }
            result[cell.row * columns + cell.column] = item
            pos += 1
            if pos == lineLength {
                pos = 0
                line += 1
            }
        }
        return result
    }
}

extension SortLayout {
    /// How many of `items` (in sorted order) this layout places before it runs off the grid.
    public func fittingCount<Item, Group: Equatable>(
        for items: [Item], columns: Int, rows: Int, reserved: Set<Int> = [],
        group: (Item) -> Group
    ) -> Int {
        let lineLength = direction == .vertical ? rows : columns
        let lines = direction == .vertical ? columns : rows
        var line = 0
        var pos = 0
        var placed = 0
        var lastGroup: Group?
        for item in items {
            let g = group(item)
            if gapBetweenGroups, let last = lastGroup, last != g, pos != 0 {
                line += 1
                pos = 0
            }
            lastGroup = g
            while line < lines, reserved.contains(cellIndex(line: line, pos: pos, columns: columns)) {
                pos += 1
                if pos == lineLength {
                    pos = 0
                    line += 1
                }
            }
            guard line < lines else { return placed }
            placed += 1
            pos += 1
            if pos == lineLength {
                pos = 0
                line += 1
            }
        }
        return placed
    }

    func cellIndex(line: Int, pos: Int, columns: Int) -> Int {
        direction == .vertical ? pos * columns + line : line * columns + pos
    }

    /// The error for `items` that do not fit: how many do, and what would make them fit (no gaps,
    /// the other direction, a quad tab, fewer cells left in place).
    public func overflow<Item, Group: Equatable>(
        for items: [Item], columns: Int, rows: Int, reserved: Set<Int>,
        group: (Item) -> Group
    ) -> StashSorterError {
        let here = fittingCount(for: items, columns: columns, rows: rows, reserved: reserved, group: group)
        var tips: [String] = []
        if gapBetweenGroups {
            let n = SortLayout(direction: direction, gapBetweenGroups: false).fittingCount(
                for: items, columns: columns, rows: rows, reserved: reserved, group: group)
            tips.append(n >= items.count ? "--no-gap fits all" : "--no-gap fits \(n)")
        }
        let other: Direction = direction == .vertical ? .horizontal : .vertical
        let o = SortLayout(direction: other, gapBetweenGroups: gapBetweenGroups).fittingCount(
            for: items, columns: columns, rows: rows, reserved: reserved, group: group)
        tips.append(
            "--layout \(other.rawValue)\(gapBetweenGroups ? "" : " --no-gap") fits \(o >= items.count ? "all" : "\(o)")"
        )
        if columns * rows < 576 {
            tips.append("a quad tab (24x24, --columns 24 --rows 24) has room for \(576 - reserved.count) items")
        }
        if !reserved.isEmpty { tips.append("or lower --min-confidence so fewer cells stay in place") }
        return .doesNotFit(
            StashSorterError.Overflow(
                items: items.count, columns: columns, rows: rows, reserved: reserved.count,
                direction: direction.rawValue, gaps: gapBetweenGroups, fitting: here, remedies: tips))
    }
}
