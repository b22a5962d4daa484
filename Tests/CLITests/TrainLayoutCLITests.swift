import DesktopTesting
import Foundation
import Imaging
import LayoutReader
import XCTest

/// `train layout` end to end at a tiny size (arena layouts, generated explorations, fog, the
/// scripted player's test walks, the best checkpoint, the evaluation files), `layout evaluate`,
/// and bad model files.
final class TrainLayoutCLITests: XCTestCase {
    func testTinyTrainingWritesAUsableModelAndItsEvaluation() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("train-layout-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let r = try BuiltTool.run(
            BuiltTool.url(),
            [
                "train", "layout", "--out", "tiny.safetensors", "--instances", "1", "--paths", "10", "--tours", "2",
                "--full-layouts",
                "--test-instances", "1", "--walk-seconds", "10", "--seconds", "6", "--epochs", "2", "--width", "16",
                "--mlp", "16", "--heads", "2", "--depth", "1", "--tokens", "16", "--eval-every", "1",
            ], in: work)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("Test regime"), r.out)
        XCTAssertTrue(r.out.contains("Expert regime"), r.out)
        // 10 paths + 2 tours + the full layout, for 1 layout of each of the 9 classes.
        XCTAssertTrue(r.out.contains("9 layouts x 13 explorations = 117 samples"), r.out)
        for suffix in ["", ".history.csv", ".curves.png", ".evaluation.txt", ".confusion.png", ".accuracy.png"] {
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: work.appendingPathComponent("tiny.safetensors\(suffix)").path),
                suffix)
        }
        let model = try ViTLayoutClassifier(contentsOf: work.appendingPathComponent("tiny.safetensors"))
        XCTAssertEqual(model.classNames.count, 9)
        XCTAssertEqual(model.network.configuration.width, 16)
        // A history line per evaluation after the header.
        let csv = try String(contentsOf: work.appendingPathComponent("tiny.safetensors.history.csv"), encoding: .utf8)
        XCTAssertGreaterThan(csv.split(separator: "\n").count, 1)

        // The same model on the layouts it was trained on (train against test accuracy).
        let t = try BuiltTool.run(
            BuiltTool.url(),
            [
                "layout", "evaluate", "tiny.safetensors", "--training-seeds", "--test-instances", "1", "--walk-seconds",
                "10",
            ],
            in: work)
        XCTAssertEqual(t.status, 0, t.out + t.err)
        XCTAssertTrue(t.out.contains("9 walks") && t.out.contains("Expert regime"), t.out)
        // How far the nearest tokens reach: one line per class.
        let reach = try BuiltTool.run(BuiltTool.url(), ["layout", "reach", "--instances", "1"], in: work)
        XCTAssertEqual(reach.status, 0, reach.out + reach.err)
        for name in ["east-run", "fork", "hub", "u-turn", "twin-rooms"] {
            XCTAssertTrue(reach.out.contains("\n" + name), reach.out)
        }
        XCTAssertNotEqual(
            try BuiltTool.run(BuiltTool.url(), ["layout", "reach", "--instances", "0"], in: work).status, 0)

        // Bad input: a corrupt model for evaluate and for --resume names the file, non-zero exit.
        let bad = work.appendingPathComponent("bad.safetensors")
        try Data("garbage".utf8).write(to: bad)
        let e = try BuiltTool.run(BuiltTool.url(), ["layout", "evaluate", "bad.safetensors"], in: work)
        XCTAssertNotEqual(e.status, 0)
        XCTAssertTrue(e.err.contains("bad.safetensors"), e.err)
        let m = try BuiltTool.run(
            BuiltTool.url(), ["train", "layout", "--resume", "tiny.safetensors", "--seconds", "6"], in: work)
        XCTAssertNotEqual(m.status, 0)
        XCTAssertTrue(m.err.contains("tiny.safetensors") && m.err.contains("width 16"), m.err)
    }

    /// `--walks`: the scripted player's walks through the training layouts become samples, and
    /// their layout seeds are training seeds only (instances 0..<--instances, never 900,000 up).
    func testWalksSampleTrainingSeedsOnly() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("train-layout-walks-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let r = try BuiltTool.run(
            BuiltTool.url(),
            [
                "train", "layout", "--out", "tiny.safetensors", "--instances", "2", "--paths", "2", "--walks", "2",
                "--walk-every", "5", "--test-instances", "1", "--walk-seconds", "10", "--seconds", "3", "--epochs",
                "1", "--width", "16", "--mlp", "16", "--heads", "2", "--depth", "1", "--tokens", "16",
                "--eval-every", "1", "--first-test-instance", "12",
            ], in: work)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        // The model is chosen on test instance 12 only, keeping 0-11 out of its choice.
        XCTAssertTrue(r.out.contains("Test set: 9 unseen layouts (instances 12-12)"), r.out)
        // 18 layouts x 2 walks x 2 captures (at 5 and 10 s); seeds 10,000 + instance * 16 + class.
        XCTAssertTrue(
            r.out.contains("18 layouts x 2 scripted-player walks of 10 s, a capture every 5.0 s = 72 samples"), r.out)
        XCTAssertTrue(r.out.contains("layout seeds 10000-10024, training seeds only"), r.out)
        XCTAssertTrue(r.out.contains("Training set in all: 108 samples."), r.out)
        let bad = try BuiltTool.run(BuiltTool.url(), ["train", "layout", "--walks", "-1"], in: work)
        XCTAssertNotEqual(bad.status, 0)
        let badFirst = try BuiltTool.run(BuiltTool.url(), ["train", "layout", "--first-test-instance", "-2"], in: work)
        XCTAssertNotEqual(badFirst.status, 0)
        XCTAssertTrue(badFirst.err.contains("--first-test-instance"), badFirst.err)
    }

    /// Walks only (`--paths 0`), chosen on the expert regime, the weights' moving average scored and
    /// saved, the learning rate on a half cosine; then `layout evaluate --mistakes` draws every wrong
    /// expert-regime answer. Bad values name their option.
    func testExpertChoiceAverageAndCosineAndMistakePictures() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("train-layout-ema-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let r = try BuiltTool.run(
            BuiltTool.url(),
            [
                "train", "layout", "--out", "tiny.safetensors", "--instances", "2", "--paths", "0", "--walks", "2",
                "--walk-every", "5", "--test-instances", "1", "--walk-seconds", "10", "--seconds", "3", "--epochs",
                "3", "--width", "16", "--mlp", "16", "--heads", "2", "--depth", "1", "--tokens", "16",
                "--eval-every", "1", "--choose-on", "expert", "--average-decay", "0.9", "--cosine-decay",
                "--learning-rate", "1e-3",
            ], in: work)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("= 0 samples"), r.out)
        XCTAssertTrue(r.out.contains("Training set in all: 72 samples."), r.out)
        XCTAssertTrue(r.out.contains("expert-regime samples"), r.out)
        // The learning rate logged at each evaluation falls along the cosine, from below 1e-3.
        let csv = try String(contentsOf: work.appendingPathComponent("tiny.safetensors.history.csv"), encoding: .utf8)
        let rates = csv.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[5])! }
        XCTAssertGreaterThan(rates.count, 2, csv)
        XCTAssertLessThan(rates.first!, 1e-3, csv)
        XCTAssertEqual(rates, rates.sorted(by: >), csv)
        XCTAssertLessThan(rates.last!, rates.first!, csv)

        let e = try BuiltTool.run(
            BuiltTool.url(),
            [
                "layout", "evaluate", "tiny.safetensors", "--test-instances", "1", "--first-instance", "13",
                "--walk-seconds", "10", "--mistakes", "wrong",
            ], in: work)
        XCTAssertEqual(e.status, 0, e.out + e.err)
        let pictures = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("wrong").path)
        XCTAssertTrue(e.out.contains("\(pictures.count) mistake pictures in wrong"), e.out)
        // The report lists each mistake; a tiny model trained for seconds makes some.
        XCTAssertGreaterThan(pictures.count, 0, e.out)
        XCTAssertTrue(pictures.allSatisfy { $0.hasSuffix(".png") }, "\(pictures)")
        let first = try PNG.read(contentsOf: work.appendingPathComponent("wrong/" + pictures.sorted()[0]))
        XCTAssertGreaterThan(first.width * first.height, 100 * 100)

        let badDecay = try BuiltTool.run(BuiltTool.url(), ["train", "layout", "--average-decay", "1.5"], in: work)
        XCTAssertNotEqual(badDecay.status, 0)
        XCTAssertTrue(badDecay.err.contains("--average-decay"), badDecay.err)
        let nothing = try BuiltTool.run(BuiltTool.url(), ["train", "layout", "--paths", "0"], in: work)
        XCTAssertNotEqual(nothing.status, 0)
        XCTAssertTrue(nothing.err.contains("no training samples"), nothing.err)
        let badChoice = try BuiltTool.run(BuiltTool.url(), ["train", "layout", "--choose-on", "luck"], in: work)
        XCTAssertNotEqual(badChoice.status, 0)
        XCTAssertTrue(badChoice.err.contains("--choose-on"), badChoice.err)
    }
}
