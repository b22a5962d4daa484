/// The seed's sorting algorithm, for comparison: stable sort of the items by class, placed one by
/// one with 2 clicks into an empty cell or 3 clicks (a swap through the cursor) onto an item,
/// including its gap rule (a new group always moves to the next column or row, which leaves a whole
/// column empty when the previous group ended exactly at the end of one).
public enum SeedSorter {
    /// The clicks the seed would make, in order. Throws when its layout runs off the grid (the seed
    /// did not check and clicked outside).
    public static func clicks<Item: Hashable & Sendable & Comparable>(
        for grid: StashGrid<Item>, direction: SortLayout.Direction = .vertical
    ) throws -> [GridCell] {
        var cells = grid.cells
        // Stable sort of non-empty cells in row-major order by item.
        let order = (0..<cells.count).filter { cells[$0] != nil }
            .enumerated().sorted { a, b in
                let x = cells[a.element]!
                let y = cells[b.element]!
                return x < y || (x == y && a.offset < b.offset)
            }.map(\.element)
        // Track where each original item is now (the seed's Cell objects move).
        var positionOfOriginal = Dictionary(uniqueKeysWithValues: order.map { ($0, $0) })
        var originalAt = [Int?](repeating: nil, count: cells.count)
        for i in 0..<cells.count where cells[i] != nil { originalAt[i] = i }
        var col = 0
        var row = 0
        var last: Item?
        var result: [GridCell] = []
        func advance() {
            if direction == .vertical {
                row += 1
                if row == grid.rows {
                    row = 0
                    col += 1
                }
            } else {
                col += 1
                if col == grid.columns {
                    col = 0
                    row += 1
                }
            }
        }
        for original in order {
            let item = cells[positionOfOriginal[original]!]!
            if let l = last, l != item {
                if direction == .vertical {
                    col += 1
                    row = 0
                } else {
                    row += 1
                    col = 0
                }
            }
            last = item
            guard col < grid.columns, row < grid.rows else {
                throw StashSorterError.seedLayoutOverflow(columns: grid.columns, rows: grid.rows)
            }
            let dest = row * grid.columns + col
            let src = positionOfOriginal[original]!
            if src == dest {
                advance()
                continue
            }
            let srcCell = grid.cell(at: src)
            let destCell = grid.cell(at: dest)
            if cells[dest] == nil { result += [srcCell, destCell] } else { result += [srcCell, destCell, srcCell] }
            // Swap contents and bookkeeping.
            let other = originalAt[dest]
            cells.swapAt(src, dest)
            originalAt.swapAt(src, dest)
            positionOfOriginal[original] = dest
            if let other { positionOfOriginal[other] = src }
            advance()
        }
        return result
    }
}
