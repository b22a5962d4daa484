import XCTest
import StashSorter
import TensorKit

final class SortPlannerTests: XCTestCase {
    /// Replays clicks with the game's cursor rules.
    func replay<Item>(_ grid: StashGrid<Item>, _ clicks: [GridCell]) -> (StashGrid<Item>, Item?) {
        var g = grid
        var cursor: Item? = nil
        for c in clicks {
            let before = g[c]
            if before == nil && cursor == nil { continue }
            g[c] = cursor
            cursor = before
        }
        return (g, cursor)
    }

    /// Fewest clicks from `start` to any arrangement equal to `target`, by breadth-first search
    /// over (cells, cursor) states.
    func bruteForce(_ start: [Character?], _ target: [Character?]) -> Int {
        struct State: Hashable {
            var cells: [Character?]
            var cursor: Character?
        }
        var frontier = [State(cells: start, cursor: nil)]
        var seen: Set<State> = [frontier[0]]
        var depth = 0
        while !frontier.isEmpty {
            var next: [State] = []
            for s in frontier {
                if s.cursor == nil && s.cells == target { return depth }
                for i in s.cells.indices {
                    if s.cells[i] == nil && s.cursor == nil { continue }
                    var t = s
                    t.cells[i] = s.cursor
                    t.cursor = s.cells[i]
                    if seen.insert(t).inserted { next.append(t) }
                }
            }
            frontier = next
            depth += 1
        }
        return -1
    }

    func randomGrid(
        columns: Int, rows: Int, rng: inout SeededGenerator, kinds: [Character], fill: Float
    ) -> StashGrid<Character> {
        let cells: [Character?] = (0..<(columns * rows)).map { _ in
            rng.nextUniform() < fill ? kinds[Int(rng.next() % UInt64(kinds.count))] : nil
        }
        return StashGrid(columns: columns, rows: rows, cells: cells)
    }

    func testPlanReachesTargetWithExactlyTheBoundOnRandom12x12() throws {
        var rng = SeededGenerator(seed: 42)
        for trial in 0..<50 {
            let grid = randomGrid(
                columns: 12, rows: 12, rng: &rng, kinds: ["b", "g", "r"], fill: trial % 2 == 0 ? 0.6 : 0.85)
            let target = try SortLayout(direction: trial % 3 == 0 ? .horizontal : .vertical, gapBetweenGroups: false)
                .targets(for: grid.items.sorted(), columns: 12, rows: 12) { $0 }
            let plan = try SortPlanner.plan(from: grid, to: target)
            let (after, cursor) = replay(grid, plan.clicks.map(\.cell))
            XCTAssertEqual(after.cells, target, "trial \(trial)")
            XCTAssertNil(cursor)
            XCTAssertEqual(plan.clicks.count, plan.lowerBound)
            XCTAssertEqual(after.items.sorted(), grid.items.sorted(), "no item lost or added")
        }
    }

    func testPlanEqualsBruteForceOptimumOnSmallGrids() throws {
        var rng = SeededGenerator(seed: 7)
        var tried = 0
        for trial in 0..<120 {
            let cols = 2 + trial % 2
            let rows = 2 + (trial / 2) % 2
            let grid = randomGrid(columns: cols, rows: rows, rng: &rng, kinds: ["a", "b", "c"], fill: 0.75)
            // A random target arrangement of the same items.
            var target = grid.cells
            target.shuffle(using: &rng)
            let plan = try SortPlanner.plan(from: grid, to: target)
            let best = bruteForce(grid.cells, target)
            XCTAssertEqual(plan.clicks.count, best, "grid \(grid.cells) → \(target)")
            XCTAssertEqual(plan.lowerBound, best)
            tried += 1
        }
        XCTAssertEqual(tried, 120)
    }

    func testNeverMoreClicksThanTheSeedOnRandom12x12() throws {
        var rng = SeededGenerator(seed: 99)
        var ours = 0
        var seeds = 0
        for _ in 0..<40 {
            let grid = randomGrid(columns: 12, rows: 12, rng: &rng, kinds: ["b", "g", "r"], fill: 0.5)
            let target = try SortLayout(direction: .vertical, gapBetweenGroups: true).targets(
                for: grid.items.sorted(), columns: 12, rows: 12
            ) { $0 }
            let plan = try SortPlanner.plan(from: grid, to: target)
            let seed = try SeedSorter.clicks(for: grid)
            let (seedAfter, seedCursor) = replay(grid, seed)
            XCTAssertNil(seedCursor)
            XCTAssertEqual(seedAfter.items.sorted(), grid.items.sorted())
            XCTAssertLessThanOrEqual(plan.clicks.count, seed.count)
            ours += plan.clicks.count
            seeds += seed.count
        }
        XCTAssertLessThan(Double(ours), 0.6 * Double(seeds), "ours \(ours) vs seed \(seeds)")
        print("planner clicks \(ours) vs seed \(seeds): \(Double(ours) / Double(seeds))")
    }

    func testLayoutOverflowIsAnErrorBeforeAnyMove() {
        // 3 groups with gaps on a 2x2 grid do not fit.
        XCTAssertThrowsError(
            try SortLayout(direction: .vertical).targets(for: ["a", "b", "c"], columns: 2, rows: 2) { $0 }
        ) { e in
            guard case .doesNotFit(let o)? = e as? StashSorterError else { return XCTFail("\(e)") }
            XCTAssertEqual([o.items, o.columns, o.rows, o.reserved, o.fitting], [3, 2, 2, 0, 2])
            XCTAssertTrue(o.gaps)
            XCTAssertTrue(
                "\(e)".contains("3 items do not fit the 2x2 grid: 2 fit with the vertical layout with a gap"), "\(e)")
        }
        XCTAssertThrowsError(try SeedSorter.clicks(for: StashGrid(columns: 2, rows: 2, cells: ["c", "b", "a", nil])))
    }
}
