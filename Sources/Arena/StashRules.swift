import SeededRandom

/// The stash tab's rules, one copy for the X11 ``StashArena`` and the in-memory ``StashSimulator``: which cell a
/// window pixel is over (the border lines between cells are dead spots), which presses fault injection drops,
/// what a click does (pick up, put down or swap with the cursor; nothing on an empty cell with an empty cursor)
/// and what Ctrl+C copies. Not thread-safe: its owner keeps it under a lock.
struct StashRules {
    /// The true state.
    private(set) var state: StashState
    /// The exact grid, in window pixels.
    let grid: GameGrid
    let faults: ArenaFaults
    private var rng: SeededGenerator
    /// Clicks applied, and presses dropped by fault injection.
    private(set) var appliedClicks = 0, droppedClicks = 0

    init(state: StashState, grid: GameGrid, faults: ArenaFaults, seed: UInt64) {
        self.state = state
        self.grid = grid
        self.faults = faults
        rng = SeededGenerator(seed: seed ^ 0xA7E4A)
    }

    /// The cell (row-major index) that window pixel (x, y) lies in, or nil on a border line or off the grid.
    func cellIndex(x: Int, y: Int) -> Int? {
        guard let (c, r) = grid.cell(atX: Double(x) + 0.5, y: Double(y) + 0.5) else { return nil }
        return r * state.columns + c
    }

    /// Whether a left-button press reaches the game: false (and counted) when fault injection drops it.
    mutating func takesPress() -> Bool {
        if faults.dropClickProbability > 0 && Double(rng.nextUniform()) < faults.dropClickProbability {
            droppedClicks += 1
            return false
        }
        return true
    }

    /// A click at window pixel (x, y), by the game's rule (``StashState/click(_:)``); true when the state changed.
    mutating func click(x: Int, y: Int) -> Bool {
        guard let i = cellIndex(x: x, y: y), state.cells[i] != nil || state.cursor != nil else { return false }
        state.click(i)
        appliedClicks += 1
        return true
    }

    /// The text Ctrl+C puts on the clipboard with the pointer at window pixel (x, y): the item's, or nil.
    func copiedText(x: Int, y: Int) -> String? { cellIndex(x: x, y: y).flatMap { state.cells[$0] }?.clipboardText }
}
