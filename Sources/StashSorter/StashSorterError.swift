import Desktop

/// What can go wrong while seeing, planning or sorting a stash. Each case carries the counts,
/// cells or text involved; the message is derived from them.
public enum StashSorterError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Why items do not fit a grid, how many do, and what would make them fit.
    public struct Overflow: Equatable, Sendable {
        public var items: Int, columns: Int, rows: Int
        /// Cells left in place (the classifier was unsure), which the layout flows around.
        public var reserved: Int
        public var direction: String
        public var gaps: Bool
        /// How many of the items this layout places.
        public var fitting: Int
        /// Other settings and how many they fit (`--no-gap fits all`, ...).
        public var remedies: [String]
    }

    /// Items (with gaps between groups, if asked) need more cells than the grid has.
    case doesNotFit(Overflow)
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
    /// A report or picture could not be written.
    case cannotWrite(path: String, reason: String)
    /// An item stayed on the cursor through every attempt to put it down.
    case cursorStillHolding(attempts: Int)
    /// The grid is (partly) off the screen.
    case gridOffScreen(ScreenRect, screen: ScreenRect)

    public var description: String {
        switch self {
        case .doesNotFit(let o):
            var s = "\(o.items) items do not fit the \(o.columns)x\(o.rows) grid"
            s += o.reserved == 0 ? "" : " around the \(o.reserved) cell(s) left in place (classifier unsure)"
            s += ": \(o.fitting) fit with the \(o.direction) layout\(o.gaps ? " with a gap between groups" : "")."
            return s + " Try: " + o.remedies.joined(separator: "; ") + "."
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
        case .cursorStillHolding(let n):
            return "the cursor still holds an item after \(n) attempts to put it down"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write the report (\(reason))"
        case .gridOffScreen(let rect, let screen):
            return "the stash grid \(rect) is partly off-screen (the screen is \(screen))"
        }
    }
}
