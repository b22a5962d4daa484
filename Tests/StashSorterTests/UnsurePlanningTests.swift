import XCTest
import StashSorter
import TensorKit

/// Unsure cells never block a plan: they stay in place and everything else is sorted around them.
final class UnsurePlanningTests: XCTestCase {
    func testUnsureCellsStayAndTheRestIsSortedAroundThem() throws {
        var rng = SeededGenerator(seed: 77)
        var cells: [String?] = (0..<144).map { _ in
            rng.nextUniform() < 0.55 ? ["blue", "green", "red"][Int(rng.next() % 3)] : nil
        }
        // A quarter of the items are unsure (as unique keys, the way the executor marks them).
        var unsure = Set<Int>()
        for i in cells.indices where cells[i] != nil && rng.nextUniform() < 0.25 {
            unsure.insert(i)
            cells[i] = "?\(i)"
        }
        let grid = StashGrid(columns: 12, rows: 12, cells: cells)
        let target = try SortExecutor.target(for: grid, unrecognised: unsure, layout: SortLayout())
        for i in unsure { XCTAssertEqual(target[i], cells[i], "unsure cell \(i) stays") }
        // Read the target in layout order (down the columns), skipping the unsure cells: the sure
        // items come out sorted, each colour starting a new column.
        var order: [String] = []
        for c in 0..<12 {
            for r in 0..<12 where !unsure.contains(r * 12 + c) { if let x = target[r * 12 + c] { order.append(x) } }
        }
        XCTAssertEqual(order, order.sorted())
        XCTAssertEqual(order.count, cells.compactMap { $0 }.count - unsure.count)
        let plan = try SortPlanner.plan(from: grid, to: target)
        XCTAssertEqual(plan.clicks.count, plan.lowerBound)
        XCTAssertFalse(
            plan.clicks.contains { unsure.contains($0.cell.row * 12 + $0.cell.column) }, "no unsure cell is clicked")
    }

    func testOverflowSaysHowManyFitAndWhatToChange() {
        // A full tab: 130 sure items in three colours plus 14 unsure cells. With a gap between
        // colours they cannot fit; without, they just do.
        var cells: [String?] = Array(repeating: nil, count: 144)
        for i in 0..<130 { cells[i] = ["blue", "green", "red"][i % 3] }
        var unsure = Set<Int>()
        for i in stride(from: 130, to: 144, by: 1) {
            unsure.insert(i)
            cells[i] = "?\(i)"
        }
        let grid = StashGrid(columns: 12, rows: 12, cells: cells)
        XCTAssertThrowsError(try SortExecutor.target(for: grid, unrecognised: unsure, layout: SortLayout())) { error in
            let m = "\(error)"
            print("overflow message: \(m)")
            XCTAssertTrue(m.contains("items do not fit the 12x12 grid around the 14 cell(s) left in place"), m)
            XCTAssertTrue(m.contains("fit with the vertical layout"), m)
            XCTAssertTrue(m.contains("--no-gap fits"), m)
            XCTAssertTrue(m.contains("quad tab"), m)
        }
        // Without gaps they fit.
        XCTAssertNoThrow(
            try SortExecutor.target(for: grid, unrecognised: unsure, layout: SortLayout(gapBetweenGroups: false)))
    }
}
