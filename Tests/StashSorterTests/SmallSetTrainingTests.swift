import XCTest
import Arena
import Datasets
import StashSorter
import TensorKit
import Imaging

/// Training on a small, unbalanced set (like the 38 real crops with only 2 empty ones) and what
/// the sorter sees with such a model on the game-like rendering.
final class SmallSetTrainingTests: XCTestCase {
    func testTwoEmptyCropsStillGiveEveryEmptyCellEmptyAndConfident() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("small-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try GemDataset.write(to: dir, perClass: 12, seed: 21)
        for i in 3...12 { try FileManager.default.removeItem(at: dir.appendingPathComponent("empty/\(i).png")) }
        var options = ClassifierTraining.Options()
        options.epochs = 6
        options.seed = 4
        let out = dir.appendingPathComponent("m.safetensors")
        let result = try ClassifierTraining(directory: dir, options: options).run(output: out)
        // Balanced by default: the rare class weighs most; the temperature is fitted and stored.
        let empty = result.classifier.classNames.firstIndex(of: "empty")!
        XCTAssertEqual(result.classCounts.reduce(0, +), result.trainingCount)
        XCTAssertGreaterThan(result.classWeights[empty], 2 * result.classWeights[0], "\(result.classWeights)")
        XCTAssertNotNil(result.validationNLL)
        XCTAssertLessThanOrEqual(result.validationNLL!.after, result.validationNLL!.before)
        XCTAssertEqual(try CellClassifier(contentsOf: out).temperature, result.temperature)

        // The game-like tab at 1080p, read from a saved picture.
        let state = StashState.random(fill: 0.5, seed: 12)
        let shot = GameScreenshot(
            width: 1920, height: 1080, stash: state,
            highlighted: GameTruth.randomCells(fraction: 0.05, count: 144, seed: 2), seed: 12)
        let perception = StashPerception(
            source: StillScreen(image: shot.render()), classifier: result.classifier,
            grid: GridGeometry(shot.stashGrid))
        let readings = try perception.readAll()
        var emptyCells = 0
        for (i, r) in readings.enumerated() {
            if state.cells[i] == nil {
                emptyCells += 1
                let f = EmptyCellCheck.features(of: perception.lastCrops[i])
                XCTAssertNil(
                    r.className,
                    "empty cell \(i) read as \(r.className ?? "") (peak \(f.peak), mean \(f.meanBrightness), tint \(f.tint), distance \(perception.emptyCheck.distance(f) ?? -1))"
                )
                XCTAssertTrue(r.isConfident, "empty cell \(i) is unsure")
            } else {
                XCTAssertEqual(r.background, .item, "item cell \(i) seen as empty background")
            }
        }
        XCTAssertGreaterThan(emptyCells, 50)
        // Without the background check the same model leaves empty cells unsure or wrong.
        perception.usesEmptyCheck = false
        let bare = try perception.readAll()
        let bareEmpty = bare.indices.filter {
            state.cells[$0] == nil && bare[$0].className == nil && bare[$0].isConfident
        }.count
        print(
            "empty cells empty and confident: with the background check \(emptyCells)/\(emptyCells), classifier alone \(bareEmpty)/\(emptyCells)"
        )
    }

    func testExtraDrawnSetJoinsTheTrainingSplitOnly() throws {
        let real = FileManager.default.temporaryDirectory.appendingPathComponent("mixreal-\(UUID())")
        let drawn = FileManager.default.temporaryDirectory.appendingPathComponent("mixdrawn-\(UUID())")
        defer {
            try? FileManager.default.removeItem(at: real)
            try? FileManager.default.removeItem(at: drawn)
        }
        try GemDataset.write(to: real, perClass: 5, seed: 31)
        try GemDataset.write(to: drawn, perClass: 4, seed: 32)
        var options = ClassifierTraining.Options()
        options.epochs = 1
        options.extraTrainingDirectory = drawn
        let r = try ClassifierTraining(directory: real, options: options).run(
            output: real.appendingPathComponent("m.safetensors"))
        XCTAssertEqual(r.extraCount, 16)
        XCTAssertEqual(r.trainingCount + r.validationCount, 20 + 16)
        XCTAssertTrue(r.validationFiles.allSatisfy { $0.hasPrefix(real.path) }, "validation stays on the real set")
    }
}
