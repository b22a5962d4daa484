import Desktop

/// What can go wrong while seeing, planning or sorting a stash. Each case carries the counts,
/// cells or text involved; the message is derived from them.
public enum StashSorterError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Items (with gaps between groups, if asked) need more cells than the grid has.
    case doesNotFit(items: Int, columns: Int, rows: Int, reserved: Int, gaps: Bool)
    /// The seed's own layout would run off the grid (it never checked).
    case seedLayoutOverflow(columns: Int, rows: Int)
    /// A target arrangement with another number of cells than the grid.
    case targetSize(target: Int, grid: Int)
    /// A target arrangement that does not hold exactly the stash's items.
    case targetItemsDiffer
    /// The clipboard text is not a Path of Exile item.
    case notAnItem(text: String)
    /// The item text has no name line.
    case itemHasNoName(rarity: String)
    /// The cursor holds an item and no cell is free to put it down.
    case cursorStuck
    /// The grid is (partly) off the screen.
    case gridOffScreen(ScreenRect)

    public var description: String {
        switch self {
        case .doesNotFit(let items, let columns, let rows, let reserved, let gaps):
            var s = "\(items) items do not fit the \(columns)x\(rows) grid"
            if reserved > 0 { s += " around \(reserved) unrecognised cell(s)" }
            if gaps { s += " with a gap between colour groups; try --no-gap or the other --layout" }
            return s
        case .seedLayoutOverflow(let columns, let rows):
            return "the seed's layout runs off the \(columns)x\(rows) grid"
        case .targetSize(let target, let grid):
            return "target has \(target) cells, the grid \(grid)"
        case .targetItemsDiffer:
            return "the target does not hold exactly the stash's items"
        case .notAnItem(let text):
            return "clipboard text is not a Path of Exile item (no 'Rarity:' line): \(text.prefix(60))"
        case .itemHasNoName(let rarity):
            return "item text has no name after 'Rarity: \(rarity)'"
        case .cursorStuck:
            return "the cursor holds an item and the stash has no empty cell to put it in"
        case .gridOffScreen(let rect):
            return "the stash grid \(rect) is partly off-screen"
        }
    }
}
