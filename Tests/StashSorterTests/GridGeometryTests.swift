import XCTest
import Arena
import StashSorter
import Imaging

final class GridGeometryTests: XCTestCase {
    func testAnArenasGridConvertsWithTheSameCells() {
        for tab in GameTab.allCases {
            let truth = tab.grid(screenWidth: 2560, height: 1440).offsetBy(x: 10, y: 20)
            let g = GridGeometry(truth)
            XCTAssertEqual(g.pitch, truth.pitch)
            XCTAssertEqual(g.cellSize, truth.cellSize)
            XCTAssertEqual(g.columns, truth.columns)
            XCTAssertEqual(g.rows, truth.rows)
            for (c, r) in [(0, 0), (truth.columns - 1, truth.rows - 1)] {
                let a = g.exactCenter(GridCell(column: c, row: r))
                let b = truth.center(column: c, row: r)
                XCTAssertEqual(a.x, b.x, accuracy: 1e-9, "\(tab)")
                XCTAssertEqual(a.y, b.y, accuracy: 1e-9, "\(tab)")
            }
        }
    }

    func testParsesFractionalPitchAndComputesEveryCellFromTheOrigin() throws {
        let g = try XCTUnwrap(GridGeometry(parsing: "18,128,52,52.67,12,12"))
        XCTAssertEqual(g.originX, 18)
        XCTAssertEqual(g.originY, 128)
        XCTAssertEqual(g.cellSize, 52)
        XCTAssertEqual(g.pitch, 52.67)
        XCTAssertEqual(g.columns, 12)
        XCTAssertEqual(g.rows, 12)
        // Cell 11 starts at 18 + 11 * 52.67 = 597.37, not at 18 + 11 * 53 = 601 (whole-pixel pitch)
        // and not wherever adding rounded steps would drift to.
        let last = GridCell(column: 11, row: 11)
        XCTAssertEqual(g.cellOrigin(last).x, 597.37, accuracy: 1e-9)
        XCTAssertEqual(g.cellOrigin(last).y, 128 + 11 * 52.67, accuracy: 1e-9)
        XCTAssertEqual(g.rect(last).x, 597)
        XCTAssertEqual(g.rect(last).width, 52)
        XCTAssertEqual(g.center(last).x, 623)  // floor(597.37 + 26)
        XCTAssertEqual(g.center(last).y, 733)  // floor(707.37 + 26)
        for i in 0..<12 {
            let c = GridCell(column: i, row: 0)
            let exact = 18 + Double(i) * 52.67 + 26
            XCTAssertLessThan(abs(Double(g.center(c).x) - exact), 1, "cell \(i)")
        }
        // A quad tab at 4K: 24 cells of pitch 52.65 still end where they should.
        let quad = try XCTUnwrap(GridGeometry(parsing: "36.5,256.25,51.6,52.65,24,24"))
        XCTAssertEqual(quad.cellOrigin(GridCell(column: 23, row: 23)).x, 36.5 + 23 * 52.65, accuracy: 1e-9)
        XCTAssertEqual(quad.bounds.x, 36)
        XCTAssertEqual(quad.bounds.width, Int((36.5 + 23 * 52.65 + 51.6).rounded(.up)) - 36)
        XCTAssertEqual(GridGeometry(parsing: quad.argument), quad)
    }

    func testWholePixelGridsKeepTheSeedsFormulas() throws {
        let g = try XCTUnwrap(GridGeometry(parsing: "18,128,52,53,12,12"))
        XCTAssertEqual(g, GridGeometry(originX: 18, originY: 128))
        for c in [GridCell(column: 0, row: 0), GridCell(column: 5, row: 7), GridCell(column: 11, row: 11)] {
            XCTAssertEqual(g.center(c).x, 18 + 53 * c.column + 26)
            XCTAssertEqual(g.center(c).y, 128 + 53 * c.row + 26)
            XCTAssertEqual(g.rect(c).x, 18 + 53 * c.column)
            XCTAssertEqual(g.rect(c).width, 52)
        }
        XCTAssertEqual(g.bounds.width, 11 * 53 + 52)
        XCTAssertEqual(GridGeometry(parsing: "18,128")?.pitch, 53)
        XCTAssertEqual(GridGeometry(parsing: "18,128,40")?.pitch, 41)
    }

    func testRejectsMalformedGrids() {
        for bad in [
            "", "18", "18,x", "18,128,52,fifty", "18,128,52,50", "18,128,52,53,12,12,1", "18,128,52,53,12.5,12",
            "18,128,52,53,0,12", "18,128,nan,53", "18,,52,53",
        ] {
            XCTAssertNil(GridGeometry(parsing: bad), "'\(bad)' should not parse")
        }
    }

    func testSubPixelSamplingIsExactOnWholePixelsAndAveragesWhenShrinking() throws {
        var img = Image(width: 40, height: 30, color: [0, 0, 0])
        for y in 0..<30 {
            for x in 0..<40 { img.setPixel(x: x, y: y, [UInt8(x * 6), UInt8(y * 8), UInt8((x + y) % 7 * 30)]) }
        }
        XCTAssertEqual(
            img.sampled(x: 5, y: 3, width: 20, height: 10, outputWidth: 20, outputHeight: 10),
            try img.cropped(x: 5, y: 3, width: 20, height: 10))
        // Half a pixel to the right: the mean of neighbouring columns (a linear ramp in red).
        let half = img.sampled(x: 5.5, y: 3, width: 20, height: 10, outputWidth: 20, outputHeight: 10)
        XCTAssertEqual(half.pixel(x: 0, y: 0).red, UInt8((5 * 6 + 6 * 6) / 2))
        // Shrinking 2x averages 2x2 blocks.
        let small = img.sampled(x: 0, y: 0, width: 40, height: 30, outputWidth: 20, outputHeight: 15)
        let block = [img.pixel(x: 2, y: 4), img.pixel(x: 3, y: 4), img.pixel(x: 2, y: 5), img.pixel(x: 3, y: 5)]
        for ch in 0..<3 {
            let mean = Float(block.map { Int($0.channels(3)[ch]) }.reduce(0, +)) / 4
            XCTAssertEqual(Float(small.pixel(x: 1, y: 2).channels(3)[ch]), mean, accuracy: 0.51)
        }
    }
}
