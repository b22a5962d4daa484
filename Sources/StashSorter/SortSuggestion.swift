import Foundation

/// What suggest mode works out from one look at the stash: every cell's reading, the plan, and
/// the plan as moves (an item carried from one cell to another), numbered in order.
public struct SortSuggestion {
    /// One carried item: picked up (or taken in a swap) at `from`, put down at `to`.
    public struct Move: Equatable, Sendable {
        public var number: Int
        public var item: String
        public var from: GridCell
        public var to: GridCell
    }

    public var readings: [CellReading]
    /// Cell keys as planned (class names; unsure cells as unique `?index` keys; nil empty).
    public var grid: StashGrid<String>
    public var unrecognised: Set<Int>
    public var plan: SortPlan<String>
    public var moves: [Move]

    /// Looks once, plans once.
    public static func make(perception: StashPerception, layout: SortLayout) throws -> SortSuggestion {
        let readings = try perception.readAll()
        var unrecognised = Set<Int>()
        let cells: [String?] = readings.enumerated().map { i, r in
            if !r.isConfident {
                unrecognised.insert(i)
                return "?\(i)"
            }
            return r.className
        }
        let grid = StashGrid(columns: perception.grid.columns, rows: perception.grid.rows, cells: cells)
        let target = try SortExecutor.target(for: grid, unrecognised: unrecognised, layout: layout)
        let plan = try SortPlanner.plan(from: grid, to: target)
        return SortSuggestion(
            readings: readings, grid: grid, unrecognised: unrecognised, plan: plan, moves: moves(of: plan))
    }

    /// The plan's clicks as moves: after each click that leaves an item on the cursor, the next
    /// click puts it down.
    public static func moves(of plan: SortPlan<String>) -> [Move] {
        var result: [Move] = []
        for chain in plan.chains {
            for (a, b) in zip(chain, chain.dropFirst()) {
                guard let carried = a.cursorAfter else { continue }
                result.append(Move(number: result.count + 1, item: carried, from: a.cell, to: b.cell))
            }
        }
        return result
    }
}

/// The JSON `sort --report` writes: the grid, every cell's class and confidence, and the plan's
/// clicks and moves in order.
public struct SortReportFile: Codable, Equatable {
    public struct Grid: Codable, Equatable {
        public var originX: Double, originY: Double, cellSize: Double, pitch: Double
        public var columns: Int, rows: Int
        /// "detected" or "given" (--grid).
        public var source: String
    }
    public struct Cell: Codable, Equatable {
        public var column: Int, row: Int
        /// The class read (`empty` for an empty cell).
        public var className: String
        public var confidence: Float
        /// False: the classifier was unsure and the item stays where it is.
        public var confident: Bool
        /// What the classifier-independent background check saw (`empty`/`item`), if used.
        public var background: String?
    }
    public struct Click: Codable, Equatable { public var number: Int, column: Int, row: Int }
    public struct Move: Codable, Equatable {
        public var number: Int
        public var item: String
        public var fromColumn: Int, fromRow: Int, toColumn: Int, toRow: Int
    }

    /// The screenshot file or the window the stash was read from.
    public var source: String
    public var model: String
    public var grid: Grid
    public var cells: [Cell]
    public var clicks: [Click]
    public var moves: [Move]
    public var lowerBound: Int
    public var unsureCells: Int

    public init(source: String, model: String, geometry: GridGeometry, gridSource: String, suggestion s: SortSuggestion)
    {
        self.source = source
        self.model = model
        grid = Grid(
            originX: geometry.originX, originY: geometry.originY, cellSize: geometry.cellSize, pitch: geometry.pitch,
            columns: geometry.columns, rows: geometry.rows, source: gridSource)
        cells = s.readings.enumerated().map { i, r in
            Cell(
                column: i % geometry.columns, row: i / geometry.columns, className: r.className ?? "empty",
                confidence: r.confidence,
                confident: r.isConfident, background: r.background?.rawValue)
        }
        clicks = s.plan.clicks.enumerated().map {
            Click(number: $0.offset + 1, column: $0.element.cell.column, row: $0.element.cell.row)
        }
        moves = s.moves.map { m in
            Move(
                number: m.number, item: m.item.hasPrefix("?") ? "unsure" : m.item, fromColumn: m.from.column,
                fromRow: m.from.row,
                toColumn: m.to.column, toRow: m.to.row)
        }
        lowerBound = s.plan.lowerBound
        unsureCells = s.unrecognised.count
    }

    public func write(to url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try e.encode(self).write(to: url, options: .atomic) } catch {
            throw StashSorterError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
