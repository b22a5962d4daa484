/// One click of a plan and what it must leave behind, so an executor can verify it.
public struct PlannedClick<Item: Hashable & Sendable>: Equatable, Sendable {
    public var cell: GridCell
    /// What the cell holds after the click.
    public var cellAfter: Item?
    /// What the cursor holds after the click.
    public var cursorAfter: Item?
}

/// A sequence of clicks that turns a stash into its sorted arrangement.
public struct SortPlan<Item: Hashable & Sendable>: Sendable {
    public var clicks: [PlannedClick<Item>]
    /// The fewest clicks any click sequence can need: one per misplaced item, one per empty cell
    /// that must be filled (each chain that ends there began with a pick-up), and one per closed
    /// swap cycle that touches no empty cell.
    public var lowerBound: Int
    /// Items that must move.
    public var misplacedCount: Int
    /// The arrangement the plan reaches.
    public var target: [Item?]
    /// Mouse travel of the plan, in cells (from the first click).
    public var travel: Double

    /// Groups of clicks between which the cursor is empty (one pick-up … place chain each).
    public var chains: [[PlannedClick<Item>]] {
        var result: [[PlannedClick<Item>]] = []
        var current: [PlannedClick<Item>] = []
        for c in clicks {
            current.append(c)
            if c.cursorAfter == nil {
                result.append(current)
                current = []
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
