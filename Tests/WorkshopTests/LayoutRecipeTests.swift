import Arena
import Foundation
import Imaging
import LayoutReader
import Workshop
import XCTest

/// The layout reader's evaluations under `layout reach` and `layout unet-bench`, called in-process.
final class LayoutRecipeTests: XCTestCase {
    func testReachOfTheNearestTokensGrowsWithTheTokensKept() {
        let seed = ArenaLayoutData.trainSeedBase + UInt64(LayoutClass.hub.rawValue)
        let few = LayoutReach.measure(.hub, seed: seed, tokens: 8)
        let many = LayoutReach.measure(.hub, seed: seed, tokens: 128)
        XCTAssertEqual(few.patches, many.patches, "the layout is the same")
        XCTAssertGreaterThan(few.patches, 8)
        XCTAssertLessThan(few.lastTokenDistance, many.lastTokenDistance)
        XCTAssertLessThan(few.wallsKept, many.wallsKept)
        XCTAssertGreaterThan(many.wallsKept, 0)
        XCTAssertLessThanOrEqual(many.wallsKept, 1)
        XCTAssertEqual(few.waypointDistance, many.waypointDistance)
        let all = LayoutReach.measure(.hub, instances: 3, tokens: 128, test: false)
        XCTAssertEqual(all.count, 3)
        XCTAssertEqual(all[0], many, "instance 0 is the first training seed of its class")
    }

    func testUNetBenchScoresTheModelAndTheBaselineOnHeldOutFrames() throws {
        let extractor = try UNetLineExtractor.loadDefault(normalization: .exact)
        let q = try LineExtractionBench.quality(extractor, frames: 1)
        XCTAssertEqual(q.rows.count, 4, "UNet and colour threshold at effects normal and heavy")
        XCTAssertEqual(q.rows.filter(\.isBaseline).count, 2)
        for row in q.rows {
            XCTAssertGreaterThan(row.score.iou, 0.05, "\(row.extractor) \(row.effects)")
            XCTAssertLessThanOrEqual(row.score.iou, 1)
        }
        let unetNormal = q.rows.first { !$0.isBaseline && $0.effects == .normal }!
        let colourNormal = q.rows.first { $0.isBaseline && $0.effects == .normal }!
        XCTAssertGreaterThan(unetNormal.score.iou, colourNormal.score.iou, "the UNet beats a colour threshold")
        XCTAssertEqual(q.frameCount[.heavy], 9, "one frame per class")
        if let picture = q.picture {
            XCTAssertEqual(picture.width, 4 * 300 + 30)
            XCTAssertEqual(picture.height, 300 + 24)
        }
    }
}
