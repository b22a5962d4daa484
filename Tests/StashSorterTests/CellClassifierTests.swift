import XCTest
import Foundation
import StashSorter
import TensorKit
import Datasets
import Imaging

final class CellClassifierTests: XCTestCase {
    func testFusedInferenceMatchesTheLayerByLayerNetwork() {
        let c = CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 4)
        var rng = SeededGenerator(seed: 8)
        for n in [1, 3, 17] {
            let x = Tensor.uniform([n, 52, 52, 3], low: 0, high: 255, using: &rng)
            c.network.eval()
            let reference = GradMode.withoutGrad { c.network(x) }
            let fused = c.logits(batch: x)
            XCTAssertEqual(fused.shape, [n, 4])
            var worst: Float = 0
            for i in 0..<fused.count {
                worst = max(worst, abs(fused.pointer[i] - reference.pointer[i]) / max(1, abs(reference.pointer[i])))
            }
            XCTAssertLessThan(worst, 1e-4, "batch \(n)")
        }
        XCTAssertEqual(InferencePlan(c.network).fusedStepCount, 5, "three conv blocks and two dense layers fused")
    }

    func testSaveLoadRoundTripAndMetadata() throws {
        let c = CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cc-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try c.save(to: url)
        let back = try CellClassifier(contentsOf: url)
        XCTAssertEqual(back.classNames, c.classNames)
        XCTAssertEqual(back.inputSize, 52)
        let file = try ModelFile.read(from: url)
        XCTAssertEqual(file.architecture, CellClassifier.architecture)
        XCTAssertEqual(file.inputShape, [52, 52, 3])
        XCTAssertTrue(file.preprocessing.contains("0-255"))
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.uniform([2, 52, 52, 3], low: 0, high: 255, using: &rng)
        XCTAssertEqual(back.logits(batch: x).scalars, c.logits(batch: x).scalars)
    }

    func testTrainingLearnsDrawnGemsQuickly() throws {
        // Tiny: 12 drawn cells per class, 8 epochs; checks that the loss falls and accuracy rises.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gems-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeDrawnGems(to: dir, perClass: 12)
        var options = ClassifierTraining.Options()
        options.epochs = 8
        options.seed = 3
        let out = dir.appendingPathComponent("m.safetensors")
        let result = try ClassifierTraining(directory: dir, options: options).run(output: out)
        let first = result.history.epochs.first!
        let last = result.history.epochs.last!
        XCTAssertLessThan(last.loss, first.loss)
        XCTAssertGreaterThan(last.accuracy, 0.6, "\(result.history.csv())")
        XCTAssertEqual(result.trainingCount + result.validationCount, 48)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path))
    }

    /// Simple distinguishable cells (the Arena's sprites are tested by the CLI tests).
    func writeDrawnGems(to dir: URL, perClass: Int) throws {
        let colors: [String: [UInt8]] = [
            "blue": [40, 90, 220], "empty": [6, 5, 4], "green": [50, 170, 20], "red": [170, 15, 30],
        ]
        var rng = SeededGenerator(seed: 5)
        for (name, color) in colors {
            let d = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            for i in 0..<perClass {
                var img = Image(width: 52, height: 52, color: [2, 2, 28])
                if name != "empty" {
                    let r = 12 + Int(rng.next() % 8)
                    img.fillCircle(
                        cx: 20 + Int(rng.next() % 12), cy: 20 + Int(rng.next() % 12), radius: r, color: Color(color))
                }
                try PNG.write(img, to: d.appendingPathComponent("\(i).png"))
            }
        }
    }
}
