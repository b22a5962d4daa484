import Desktop
import Foundation

/// What sorting did: clicks used against the plan's lower bound and the seed's algorithm, time,
/// re-plans after a mismatch, and why it stopped.
public struct SortReport: Sendable {
    public var clicks = 0
    /// The plan's lower bound for the stash as first observed.
    public var lowerBound = 0
    /// Clicks the seed's algorithm would need for the same stash.
    public var seedClicks = 0
    public var seconds = 0.0
    public var replans = 0
    /// Cells left in place because the classifier was not sure, as (column, row).
    public var unrecognised: [GridCell] = []
    /// Items counted by class before and after (nothing lost when equal).
    public var itemsBefore: [String: Int] = [:]
    public var itemsAfter: [String: Int] = [:]
    /// True when the stash ended sorted and the cursor empty.
    public var completed = false
    /// Why it stopped early, if it did.
    public var stopReason: String?

    /// An empty report: no clicks yet, not completed.
    public init() {}
}

/// How the sorter acts.
public enum SortMode: String, Sendable, CaseIterable {
    /// Draw the plan; click nothing.
    case suggest
    /// One click per press of the step hotkey.
    case step
    /// The whole plan.
    case auto
}

/// Observes the stash, plans the fewest clicks, and carries the plan out click by click, checking
/// each click's effect on screen (the clicked cell and the cursor) instead of trusting a sleep. On
/// a mismatch it re-observes, puts down anything left on the cursor, and re-plans.
public final class SortExecutor {
    public let perception: StashPerception
    public let device: InputDevice
    public let layout: SortLayout
    /// A screen point off the grid where the pointer rests while a click is verified.
    public let parking: ScreenPoint
    /// The clock that times verification, settling and reports.
    public let clock: MonotonicClock
    /// How long a click may take to show on screen (a slow UI) before it counts as missed.
    /// It doubles (up to ``maxVerifyTimeout``) whenever a click that looked missed turns out to
    /// have landed late, so a lagging game slows the sorter down instead of confusing it.
    public var verifyTimeout: Double = 1.0
    /// The most ``verifyTimeout`` grows to.
    public var maxVerifyTimeout: Double = 8.0
    public var maxReplans = 50
    /// Called before every click (step mode waits for a hotkey here); throw to stop.
    public var beforeClick: ((PlannedClick<String>) throws -> Void)?
    /// Progress: (clicks so far, clicks planned).
    public var progress: ((Int, Int) -> Void)?
    /// A finer sort key for an item cell, given its class (e.g. from the item's text on the
    /// clipboard): `class|…`. Items then sort by the whole key and group by the class.
    public var itemKey: ((GridCell, String) throws -> String)?

    /// The class part of a key (`blue|Arc|07` → `blue`).
    static func classOf(_ key: String?) -> String? {
        key.map { String($0.split(separator: "|", maxSplits: 1).first ?? "") }
    }

    public init(
        perception: StashPerception, device: InputDevice, layout: SortLayout, parking: ScreenPoint,
        clock: MonotonicClock = SystemClock.shared
    ) {
        self.perception = perception
        self.device = device
        self.layout = layout
        self.parking = parking
        self.clock = clock
    }

    /// Current cells as keys (class names; nil for empty); unrecognised cells get unique keys.
    func observe() throws -> (grid: StashGrid<String>, unrecognised: Set<Int>) {
        let readings = try perception.readAll()
        var unrecognised = Set<Int>()
        let columns = perception.grid.columns
        let cells: [String?] = try readings.enumerated().map { i, r in
            if !r.isConfident {
                unrecognised.insert(i)
                return "?\(i)"
            }
            guard let cls = r.className, let itemKey else { return r.className }
            return try itemKey(GridCell(column: i % columns, row: i / columns), cls)
        }
        if itemKey != nil { try device.move(to: parking) }
        return (StashGrid(columns: perception.grid.columns, rows: perception.grid.rows, cells: cells), unrecognised)
    }

    /// The sorted arrangement for `grid` (unrecognised items stay in place).
    public func target(for grid: StashGrid<String>, unrecognised: Set<Int>) throws -> [String?] {
        try SortExecutor.target(for: grid, unrecognised: unrecognised, layout: layout)
    }

    /// The sorted arrangement of `grid` in `layout`: unrecognised cells keep what they hold and
    /// take their cell out of the layout; everything else is sorted around them. Throws, saying
    /// how many items fit and what to change, only when the sure items cannot all be placed.
    public static func target(
        for grid: StashGrid<String>, unrecognised: Set<Int>, layout: SortLayout
    ) throws -> [String?] {
        let movable = grid.cells.enumerated().filter { !unrecognised.contains($0.offset) }.compactMap(\.element)
            .sorted()
        // The layout's error says how many fit and what to change.
        var t = try layout.targets(for: movable, columns: grid.columns, rows: grid.rows, reserved: unrecognised) {
            SortExecutor.classOf($0)
        }
        for i in unrecognised { t[i] = grid.cells[i] }
        return t
    }

    /// The plan for what is on screen now.
    public func currentPlan() throws -> (plan: SortPlan<String>, grid: StashGrid<String>, unrecognised: Set<Int>) {
        let (grid, unrecognised) = try observe()
        let plan = try SortPlanner.plan(from: grid, to: try target(for: grid, unrecognised: unrecognised))
        return (plan, grid, unrecognised)
    }

    static func counts(_ g: StashGrid<String>) -> [String: Int] {
        var d: [String: Int] = [:]
        for x in g.cells.compactMap({ $0 }) where !x.hasPrefix("?") { d[classOf(x)!, default: 0] += 1 }
        return d
    }

    private func clickCell(_ c: GridCell) throws {
        try device.click(at: perception.grid.center(c))
        try device.move(to: parking)
    }

    /// How long the expected state must hold on screen before a click counts as done. The game
    /// draws a held item at the pointer: until it has caught up with the pointer's move to the
    /// parking point, an item still held over the cell looks like one put down there.
    public var settleTime: Double = 0.03
    /// Learn the pointer's resting place's background before sorting (the pointer moves two
    /// cells down and back), instead of requiring it to be plain.
    public var learnsCursorBackground = true

    /// Waits until `cell` shows `expected` and the cursor `cursorExpected`, steadily for
    /// ``settleTime``, or the timeout passes.
    private func verify(
        cell: GridCell, expected: String?, cursorExpected: String?, anyItem: Bool = false
    ) throws -> Bool {
        let deadline = clock.now() + verifyTimeout
        var matchedSince: MonotonicTime?
        repeat {
            if try shows(cell: cell, expected: expected, cursorExpected: cursorExpected, anyItem: anyItem) {
                if let since = matchedSince {
                    if clock.now() - since >= settleTime { return true }
                } else {
                    matchedSince = clock.now()
                }
            } else {
                matchedSince = nil
            }
            clock.sleep(for: 0.005)
        } while clock.now() < deadline
        return false
    }

    /// Whether `cell` shows `expected` (any item, with `anyItem`) and the cursor `cursorExpected`
    /// now (one look).
    private func shows(cell: GridCell, expected: String?, cursorExpected: String?, anyItem: Bool = false) throws -> Bool
    {
        let r = try perception.read([cell])[0]
        let cur = try perception.readCursor(at: parking)
        let cellOK = anyItem ? r.className != nil : r.className == SortExecutor.classOf(expected)
        let cursorOK = cursorExpected == nil ? cur == nil : cur?.className == SortExecutor.classOf(cursorExpected)
        return cellOK && cursorOK
    }

    /// Puts down whatever the cursor holds into an empty cell, so nothing is left on it, and waits
    /// until the screen shows it put down (a slow UI applies the click late: the sorter then waits
    /// for a quiet screen before it looks again; a dropped click is retried), so the next
    /// observation sees every item.
    private func emptyCursor(report: inout SortReport) throws {
        for _ in 0..<5 {
            guard let held = try perception.readCursor(at: parking) else { return }
            let (grid, _) = try observe()
            guard let free = grid.cells.firstIndex(where: { $0 == nil }) else { throw StashSorterError.cursorStuck }
            let cell = grid.cell(at: free)
            try clickCell(cell)
            report.clicks += 1
            if try verify(
                cell: cell, expected: held.className ?? "?", cursorExpected: nil, anyItem: held.className == nil)
            {
                return
            }
            try waitUntilQuiet()
        }
        throw StashSorterError.cursorStillHolding(attempts: 5)
    }

    /// What the stash and the cursor show now, as class names.
    private func snapshot() throws -> [String?] {
        try perception.readAll().map(\.className) + [try perception.readCursor(at: parking)?.className]
    }

    /// Waits until the UI has caught up with every click sent: the stash and the cursor look the
    /// same over half a verify timeout (at most a few timeouts in all).
    private func waitUntilQuiet() throws {
        let deadline = clock.now() + 4 * verifyTimeout
        var last = try snapshot()
        while clock.now() < deadline {
            clock.sleep(for: verifyTimeout / 2)
            let now = try snapshot()
            if now == last { return }
            last = now
        }
    }

    /// Sorts in `auto` or `step` mode (in `suggest` mode, use ``currentPlan()`` and draw it).
    public func run() throws -> SortReport {
        var report = SortReport()
        let start = clock.now()
        // What the resting place shows without a held item (the game may draw its world there).
        if learnsCursorBackground {
            let away = parking.offset(dx: 0, dy: Int(2 * perception.grid.pitch))
            try perception.learnCursorBackground(at: parking, away: away) { p in try device.move(to: p) }
        }
        try device.move(to: parking)
        try emptyCursor(report: &report)
        var (plan, grid, unrecognised) = try currentPlan()
        report.lowerBound = plan.lowerBound
        let classes = StashGrid(columns: grid.columns, rows: grid.rows, cells: grid.cells.map(SortExecutor.classOf))
        report.seedClicks = (try? SeedSorter.clicks(for: classes, direction: layout.direction).count) ?? 0
        report.unrecognised = unrecognised.sorted().map(grid.cell(at:))
        report.itemsBefore = SortExecutor.counts(grid)
        var done = false
        var lastClick: PlannedClick<String>?
        while !done {
            var mismatch = false
            for click in plan.clicks {
                lastClick = click
                do {
                    try beforeClick?(click)
                    try clickCell(click.cell)
                } catch {
                    report.stopReason = "\(error)"
                    device.releaseAll()
                    report.seconds = clock.now() - start
                    return report
                }
                report.clicks += 1
                progress?(report.clicks, report.clicks + plan.clicks.count)
                if try !verify(cell: click.cell, expected: click.cellAfter, cursorExpected: click.cursorAfter) {
                    mismatch = true
                    break
                }
            }
            if mismatch {
                report.replans += 1
                guard report.replans <= maxReplans else {
                    try waitUntilQuiet()
                    try emptyCursor(report: &report)
                    report.stopReason =
                        "gave up after \(maxReplans) re-plans: the game keeps ignoring or changing clicks"
                    report.seconds = clock.now() - start
                    return report
                }
                // A delayed click may still land: wait until the UI is quiet, then look again. If the
                // click did land, the game is slower than the timeout: allow it more time from now on.
                try waitUntilQuiet()
                if let last = lastClick,
                    try shows(cell: last.cell, expected: last.cellAfter, cursorExpected: last.cursorAfter)
                {
                    verifyTimeout = Swift.min(maxVerifyTimeout, verifyTimeout * 2)
                }
                try emptyCursor(report: &report)
                (plan, grid, unrecognised) = try currentPlan()
                done = plan.clicks.isEmpty
            } else {
                done = true
            }
        }
        let final = try observe()
        report.itemsAfter = SortExecutor.counts(final.grid)
        let finalTarget = try target(for: final.grid, unrecognised: final.unrecognised)
        let cursorEmpty = try perception.readCursor(at: parking) == nil
        report.completed = final.grid.cells == finalTarget && cursorEmpty
        report.seconds = clock.now() - start
        return report
    }
}
