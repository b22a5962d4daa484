import DesktopTesting
import Foundation
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
                "train", "layout", "--out", "tiny.safetensors", "--instances", "1", "--paths", "10",
                "--test-instances", "1", "--walk-seconds", "10", "--minutes", "0.1", "--epochs", "2", "--width", "16",
                "--mlp", "16", "--heads", "2", "--depth", "1", "--tokens", "16", "--eval-every", "1",
            ], in: work)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("Test regime"), r.out)
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

        // Bad input: a corrupt model for evaluate and for --resume names the file, non-zero exit.
        let bad = work.appendingPathComponent("bad.safetensors")
        try Data("garbage".utf8).write(to: bad)
        let e = try BuiltTool.run(BuiltTool.url(), ["layout", "evaluate", "bad.safetensors"], in: work)
        XCTAssertNotEqual(e.status, 0)
        XCTAssertTrue(e.err.contains("bad.safetensors"), e.err)
        let m = try BuiltTool.run(
            BuiltTool.url(), ["train", "layout", "--resume", "tiny.safetensors", "--minutes", "0.1"], in: work)
        XCTAssertNotEqual(m.status, 0)
        XCTAssertTrue(m.err.contains("tiny.safetensors") && m.err.contains("width 16"), m.err)
    }
}
