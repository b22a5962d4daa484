import XCTest
import Arena
import StashSorter
import Imaging

/// Grid detection on the game-like rendering (no X server): every resolution from 720p to 4K,
/// fractional pitches, JPEG quality 70, highlighted cells, a quad tab and the inventory.
final class GridDetectionTests: XCTestCase {
    /// Largest distance between detected and true cell centres (corners of the grid), in px.
    static func centreError(_ g: GridGeometry, _ t: GameGrid) -> Double {
        var worst = 0.0
        for (c, r) in [(0, 0), (t.columns - 1, 0), (0, t.rows - 1), (t.columns - 1, t.rows - 1)] {
            let a = g.exactCenter(GridCell(column: c, row: r))
            let b = t.center(column: c, row: r)
            worst = max(worst, abs(a.x - b.x), abs(a.y - b.y))
        }
        return worst
    }

    static func shot(
        _ w: Int, _ h: Int, tab: GameTab = .normal, fill: Double = 0.5, seed: UInt64, highlight: Double = 0
    ) -> GameScreenshot {
        GameScreenshot(
            width: w, height: h, tab: tab, stash: .random(columns: tab.columns, rows: tab.rows, fill: fill, seed: seed),
            inventory: .random(columns: 12, rows: 5, fill: 0.3, seed: seed + 50),
            highlighted: GameTruth.randomCells(fraction: highlight, count: tab.columns * tab.rows, seed: seed),
            seed: seed)
    }

    func testFindsTheStashAtEveryResolutionToASubPixel() throws {
        for (w, h, seed) in [(1280, 720, UInt64(1)), (1920, 1080, 2), (2560, 1440, 3), (3840, 2160, 4)] {
            let s = GridDetectionTests.shot(w, h, fill: seed == 3 ? 0.9 : 0.5, seed: seed, highlight: 0.06)
            let start = Date()
            let g = try GridDetector.detect(in: s.render(), columns: 12, rows: 12)
            let err = GridDetectionTests.centreError(g, s.stashGrid)
            print(
                "detect \(w)x\(h): pitch \(g.pitch) (true \(s.stashGrid.pitch)), centre error \(err) px, \(Date().timeIntervalSince(start)) s"
            )
            XCTAssertLessThan(err, 0.5, "\(w)x\(h)")
            XCTAssertEqual(g.pitch, s.stashGrid.pitch, accuracy: 0.04, "\(w)x\(h)")
        }
    }

    func testJPEGQuality70AndAnOddWindowScale() throws {
        // 1080p saved as JPEG at quality 70, and a window scaled to 0.9 of 1200 px high.
        let s = GridDetectionTests.shot(1920, 1080, fill: 0.6, seed: 7, highlight: 0.04)
        let jpeg = try JPEG.decode(try JPEG.encode(s.render(), quality: 70))
        let g = try GridDetector.detect(in: jpeg)
        let e = GridDetectionTests.centreError(g, s.stashGrid)
        print("detect 1920x1080 JPEG q70: centre error \(e) px")
        XCTAssertLessThan(e, 0.6)
        let odd = GridDetectionTests.shot(1728, 1080 * 9 / 10 + 3, fill: 0.5, seed: 8)
        let go = try GridDetector.detect(in: odd.render())
        XCTAssertEqual(go.pitch, odd.stashGrid.pitch, accuracy: 0.05)
        XCTAssertLessThan(GridDetectionTests.centreError(go, odd.stashGrid), 0.6, "pitch \(odd.stashGrid.pitch)")
    }

    func testQuadTabAndInventory() throws {
        let quad = GridDetectionTests.shot(2560, 1440, tab: .quad, fill: 0.5, seed: 9, highlight: 0.03)
        let picture = quad.render()
        let g = try GridDetector.detect(in: picture, columns: 24, rows: 24)
        let e = GridDetectionTests.centreError(g, quad.stashGrid)
        print("detect quad 2560x1440: pitch \(g.pitch) (true \(quad.stashGrid.pitch)), centre error \(e) px")
        XCTAssertLessThan(e, 0.6)
        // The same picture with the normal tab's 12 columns: a clear error, not a wrong grid.
        XCTAssertThrowsError(try GridDetector.detect(in: picture, columns: 12, rows: 12)) { error in
            XCTAssertTrue("\(error)".contains("quad tab"), "\(error)")
        }
        // The inventory (12x5) on the right of a 1080p screen, beside a full stash tab.
        let s = GridDetectionTests.shot(1920, 1080, fill: 0.5, seed: 10)
        let inv = try GridDetector.detect(in: s.render(), columns: 12, rows: 5)
        let ei = GridDetectionTests.centreError(inv, s.inventoryGrid)
        print("detect inventory 1920x1080: centre error \(ei) px")
        XCTAssertLessThan(ei, 0.6)
    }

    func testNoStashGivesAnErrorThatSaysWhatItLookedForAndSaw() throws {
        // The game world alone (the middle of a screenshot, enlarged): no grid in it.
        let world = GridDetectionTests.shot(1280, 720, seed: 4).render()
        let scene = try world.cropped(x: 500, y: 0, width: 280, height: 720).resized(width: 1280, height: 720)
        XCTAssertThrowsError(try GridDetector.detect(in: scene)) { error in
            guard let f = error as? GridDetector.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(
                f.description.contains("looked for 13 vertical and 13 horizontal border lines"), f.description)
            XCTAssertTrue(f.description.contains("saw "), f.description)
            XCTAssertEqual(f.picture.width, 1280)
        }
        XCTAssertThrowsError(try GridDetector.detect(in: Image(width: 300, height: 300, color: [9, 9, 9])))
    }
}
