import XCTest
import Arena
import StashSorter
import TensorKit
import Imaging

final class EmptyCellCheckTests: XCTestCase {
    func testDrawnCellsOfBothStyles() throws {
        var rng = SeededGenerator(seed: 3)
        let check = EmptyCellCheck()
        XCTAssertEqual(check.verdict(EmptyCellCheck.features(of: GemArt.cell(.empty, noiseSeed: 5))), .empty)
        for color in GemColor.allCases {
            for _ in 0..<10 {
                let cell = GemArt.cell(.gem(.random(color, using: &rng)), noiseSeed: rng.next() | 1)
                XCTAssertEqual(check.verdict(EmptyCellCheck.features(of: cell)), .item, "\(color)")
            }
        }
    }

    /// The 38 real crops from the game, when they are beside the project (never copied into it).
    func testSeparatesTheRealCropsWhenPresent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../shared/data/gems"
        ).standardized
        guard FileManager.default.fileExists(atPath: root.path) else {
            throw XCTSkip("real gem crops not at \(root.path)")
        }
        let check = EmptyCellCheck()
        var seen = 0
        for cls in ["blue", "empty", "green", "red"] {
            for f in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(cls).path)
            where f.hasSuffix(".png") {
                let img = try PNG.read(contentsOf: root.appendingPathComponent(cls).appendingPathComponent(f))
                XCTAssertEqual(
                    check.verdict(EmptyCellCheck.features(of: img)), cls == "empty" ? .empty : .item, "\(cls)/\(f)")
                seen += 1
            }
        }
        XCTAssertEqual(seen, 38)
    }
}
