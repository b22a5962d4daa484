import SeededRandom

/// The true state of a stash tab: what each cell holds (row-major) and what the cursor holds.
public struct StashState: Equatable, Sendable {
    public var columns: Int
    public var rows: Int
    public var cells: [StashItem?]
    public var cursor: StashItem?

    public init(columns: Int, rows: Int, cells: [StashItem?], cursor: StashItem? = nil) {
        precondition(cells.count == columns * rows, "\(cells.count) cells for \(columns)x\(rows)")
        self.columns = columns
        self.rows = rows
        self.cells = cells
        self.cursor = cursor
    }

    /// A shuffled stash with `fill` of the cells holding random gems.
    public static func random(columns: Int = 12, rows: Int = 12, fill: Double = 0.5, seed: UInt64) -> StashState {
        var rng = SeededGenerator(seed: seed)
        var cells: [StashItem?] = []
        var id = 0
        for _ in 0..<(columns * rows) {
            if Double(rng.nextUniform()) < fill {
                id += 1
                cells.append(StashItem.random(id: id, color: GemColor.allCases[Int(rng.next() % 3)], using: &rng))
            } else {
                cells.append(nil)
            }
        }
        return StashState(columns: columns, rows: rows, cells: cells)
    }

    /// The game's click rule at cell `index`: pick up, put down, or swap with the cursor.
    public mutating func click(_ index: Int) {
        let held = cursor
        cursor = cells[index]
        cells[index] = held
    }

    /// Every item, wherever it is (cells and cursor), sorted by id.
    public var allItems: [StashItem] {
        (cells.compactMap { $0 } + (cursor.map { [$0] } ?? [])).sorted { $0.id < $1.id }
    }
}
