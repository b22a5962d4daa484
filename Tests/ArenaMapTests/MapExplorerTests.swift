import Foundation
import XCTest

import Arena
import Imaging

/// The map game's scripted player.
final class MapExplorerTests: XCTestCase {
    /// An open cell of the explorer's grid (cells of 4 px, 5 px from the walls) that reaches
    /// neither the entrance nor any goal: the player can stand there (the grid's clearance is
    /// stricter than the ground), and from there no route exists.
    func isolatedPocket() throws -> (MapLayout, MapPoint)? {
        for c in LayoutClass.allCases {
            for seed in UInt64(1)...6 {
                let layout = MapLayout(layoutClass: c, seed: seed)
                let grid = try WalkableGrid(
                    mask: layout.walkable, width: layout.width, height: layout.height, cell: 4, clearance: 5)
                let reach = grid.distances(from: GridPoint(x: Int(layout.entrance.x), y: Int(layout.entrance.y)))
                for i in reach.indices where grid.open[i] != 0 && reach[i] < 0 {
                    let p = MapPoint(x: Float((i % grid.columns) * 4 + 2), y: Float((i / grid.columns) * 4 + 2))
                    return (layout, p)
                }
            }
        }
        return nil
    }

    /// Where no goal can be reached the explorer stands still and tries again later; it used to
    /// search for a reachable goal forever (a training walk hung for good).
    func testPlayerWhereNoGoalIsReachableStandsStillInsteadOfHanging() throws {
        guard let (layout, pocket) = try isolatedPocket() else {
            return XCTFail("no layout of seeds 1-6 has an isolated open cell to test with")
        }
        let explorer = try MapExplorer(layout: layout, seed: 7)
        let started = Date()
        var time = 0.0
        while time < 5 {
            XCTAssertEqual(explorer.keys(player: pocket, time: time), [], "no route from the pocket at \(time) s")
            time += 0.1
        }
        XCTAssertNil(explorer.goal)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "50 ticks in the pocket")
        // Back on the main ground it walks again, once the retry delay has passed.
        time += MapExplorer.retryAfter
        XCTAssertFalse(explorer.keys(player: layout.entrance, time: time).isEmpty, "keys from the entrance")
        XCTAssertNotNil(explorer.goal)
    }
}
