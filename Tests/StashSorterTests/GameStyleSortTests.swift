import XCTest
import Foundation
import Arena
import Desktop
import StashSorter
import Imaging

/// The sorter, out of the box (built-in model, detected grid), against the game-style arena in a
/// real X server at a fractional pitch, checked against the arena's truth.
final class GameStyleSortTests: XCTestCase {
    func testSortsTheGameStyleArenaWithTheBuiltInModelAndADetectedGrid() throws {
        let xvfb = try VirtualDisplay(width: 1300, height: 1300)
        defer { xvfb.stop() }
        let state = StashState.random(fill: 0.45, seed: 61)
        let arena = try StashArena(
            display: xvfb.name, state: state, position: ScreenPoint(x: 10, y: 10),
            layout: .game(scale: 1.3333, highlighted: [3, 40, 77]), faults: ArenaFaults(dropClickProbability: 0.05),
            seed: 61)
        defer { arena.close() }
        arena.window.focus()
        let connection = try X11Connection(name: xvfb.name)
        let source = X11ScreenSource(connection: connection)
        let shot = try source.capture(window: arena.window.window)
        let grid = try GridDetector.detect(in: shot.image, originX: shot.rect.x, originY: shot.rect.y)
        let truth = arena.screenGrid
        XCTAssertEqual(grid.pitch, truth.pitch, accuracy: 0.05, "pitch 70.22 at 1440p")
        XCTAssertEqual(
            grid.exactCenter(GridCell(column: 11, row: 11)).x, truth.center(column: 11, row: 11).x, accuracy: 0.6)
        let agent = try InputAgent.x11(connection: connection, target: arena.window.window, timing: .immediate)
        defer { agent.stop() }
        let executor = SortSession(
            source: source, classifier: try BuiltInModel.load().classifier, agent: agent,
            window: arena.window.rect, options: SortSession.Options(grid: grid)
        ).executor
        executor.verifyTimeout = 0.3
        let report = try executor.run()
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertTrue(report.unrecognised.isEmpty)
        let after = arena.state
        XCTAssertNil(after.cursor)
        XCTAssertEqual(after.allItems.map(\.id), state.allItems.map(\.id), "nothing lost")
        let want = try SortLayout().targets(
            for: state.cells.compactMap { $0?.color.rawValue }.sorted(), columns: 12, rows: 12
        ) { $0 }
        XCTAssertEqual(
            after.cells.map { $0?.color.rawValue }, want, "sorted by color (the truth, not the sorter's reading)")
        XCTAssertGreaterThan(arena.droppedClicks, 0, "the fault happened")
    }
}
