import Autopilot
import Foundation
import Imaging
import Recording
import StashSorter
import TensorKit
import Workshop
import XCTest

/// The autopilot's recipes under `drive bench`, `train policy`, `play` and `recording import-pickle`,
/// called in-process (no display: everything here runs in the arena's simulated time).
final class AutopilotRecipeTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("workshop-autopilot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    static let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testThresholdsFromTheUsersText() throws {
        let keys = ["Up", "Left", "Right", "Down"]
        XCTAssertEqual(try KeyThresholds.parse("0.4", keys: keys), [0.4, 0.4, 0.4, 0.4])
        XCTAssertEqual(try KeyThresholds.parse("up=0.7,Down=0.2", keys: keys), [0.7, 0.5, 0.5, 0.2])
        XCTAssertEqual(
            try KeyThresholds.parse("calibrated", keys: keys, calibrated: [0.1, 0.2, 0.3, 0.4]), [0.1, 0.2, 0.3, 0.4])
        XCTAssertEqual(KeyThresholds.describe([0.5, 0.25], keys: ["Up", "Left"]), "Up=0.50,Left=0.25")
        for (text, message) in [
            ("1.5", "--threshold must be in (0, 1), got 1.5"),
            ("Jump=0.5", "--threshold names Jump, which is not one of the model's keys Up, Left, Right, Down"),
            ("Up:0.5", "--threshold 'Up:0.5' is not KEY=P with P in (0, 1)"),
            ("calibrated", "--threshold calibrated: the model has no calibrated thresholds"),
        ] {
            XCTAssertThrowsError(try KeyThresholds.parse(text, keys: keys), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }

    func testPickleImportKeepsFramesAndKeysAndLeavesNothingOnFailure() throws {
        let fixtures = Self.project.appendingPathComponent("Tests/AutopilotTests/Fixtures")
        let importer = PickleImport(helper: Self.project.appendingPathComponent("tools/seed_pickle_to_raw.py"))
        let out = work.appendingPathComponent("p5.ppr")
        let summary = try importer.run(
            pickle: fixtures.appendingPathComponent("seed_recording_p5.pickle"), output: out)
        XCTAssertEqual(summary.frames, 6)
        let r = try RecordingFile(url: out)
        XCTAssertEqual(r.count, 6)
        XCTAssertEqual(r.seedKeys(1), [true, true, false, false])
        XCTAssertEqual(try r.image(2).pixel(x: 3, y: 2), [80, 20, 30], "B,G,R stored becomes R,G,B")

        let cut = work.appendingPathComponent("cut.pickle")
        try Data(contentsOf: fixtures.appendingPathComponent("seed_recording_p5.pickle")).prefix(500).write(to: cut)
        let cutOut = work.appendingPathComponent("cut.ppr")
        XCTAssertThrowsError(try importer.run(pickle: cut, output: cutOut)) { error in
            XCTAssertTrue("\(error)".contains("cut.pickle"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cutOut.path), "a failed import leaves no recording")
        XCTAssertThrowsError(try importer.run(pickle: work.appendingPathComponent("none.pickle"), output: cutOut)) {
            XCTAssertTrue("\($0)".hasSuffix("none.pickle: no such file"), "\($0)")
        }
    }

    func testDriveBenchmarkRecordsTrainsAndDrivesEveryTestTrack() throws {
        var c = DriveBenchmark.Configuration(directory: work)
        c.trainTracks = [1, 2]
        c.testTracks = [101]
        c.recordSeconds = 3
        c.seconds = 3
        c.width = 320
        c.height = 240
        (c.frameWidth, c.frameHeight, c.framesPerExample) = (32, 24, 4)
        (c.channels, c.features, c.hidden, c.epochs) = ([4, 8], 8, 8, 1)
        var lines: [String] = []
        var epochsEnded = 0
        let report = try DriveBenchmark(c).run(
            log: { lines.append($0) },
            training: { if case .epochEnded = $0 { epochsEnded += 1 } })
        XCTAssertEqual(report.tracks.map(\.track), [101])
        XCTAssertEqual(epochsEnded, 1)
        let row = report.tracks[0]
        XCTAssertGreaterThan(row.expert.progress, 0, "the expert makes progress in 3 s")
        XCTAssertEqual(report.ratio, row.policy.progress / row.expert.progress, accuracy: 1e-9)
        XCTAssertEqual(try String(contentsOf: c.reportURL, encoding: .utf8), report.markdown)
        XCTAssertTrue(report.markdown.contains("| 101 |"), report.markdown)
        XCTAssertTrue(lines.contains { $0.hasPrefix("3. Driving 1 unseen tracks") }, "\(lines)")
        for side in [c.modelURL.path, c.modelURL.path + ".report.txt", c.modelURL.path + ".curves.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: side), side)
        }
        XCTAssertEqual(try PolicyModel.read(from: c.modelURL).metadata.keyNames, report.model.metadata.keyNames)

        var bad = c
        bad.testTracks = [2]
        XCTAssertThrowsError(try DriveBenchmark(bad).run(log: { _ in })) {
            XCTAssertEqual(
                $0 as? WorkshopError, .invalidValue("the training and test tracks must be given and must differ"))
        }
    }

    func testAutopilotDemoRefusesTestTracksItTrainsOn() {
        var c = AutopilotDemo.Configuration(directory: work)
        XCTAssertNil(c.problem)
        c.testTracks = [3]
        XCTAssertEqual(c.problem, "a test track is also a training track: the policy must drive unseen tracks")
        XCTAssertThrowsError(try AutopilotDemo(c).run(display: ":nowhere", log: { _ in }))
    }

    func testPolicyStripDrawsOneTilePerFrame() {
        var strip = PolicyStrip()
        let frame = Image(width: 40, height: 30, color: [200, 10, 10])
        for k in 0..<5 {
            strip.add(frame, label: "#\(k)", keys: ["Up", "Left"], probabilities: [0.9, 0.1], held: [true, false])
        }
        let sheet = strip.render()
        XCTAssertEqual(sheet.width, 4 * (strip.tileWidth + 8) + 8, "four columns")
        XCTAssertEqual(sheet.height, 2 * (strip.tileWidth * 30 / 40 + 46 + 8) + 8, "two rows")
        XCTAssertEqual(sheet.pixel(x: 8 + 5, y: 8 + 5), [200, 10, 10])
    }

    func testPolicyNetworkBenchReportsMedianAndFastestOfEachCase() {
        var bench = PolicyNetworkBench(policy: SeedPolicy(seed: 1), repeats: 1)
        var results: [BenchResult] = []
        bench.kernels { results.append($0) }
        XCTAssertEqual(results.count, 8, "four cases, each median and fastest")
        for pair in stride(from: 0, to: results.count, by: 2) {
            XCTAssertEqual(results[pair + 1].case, results[pair].case + " (fastest run)")
            XCTAssertLessThanOrEqual(results[pair + 1].value, results[pair].value)
            XCTAssertTrue(results[pair].framework.hasPrefix("TensorKit "), results[pair].framework)
        }
        XCTAssertTrue(bench.description.contains("TensorKit kernels: "))
    }
}

/// The stash sorter's soak and demo configurations, in-process.
final class StashRecipeTests: XCTestCase {
    func testSoakRefusesFaultsOutOfRange() {
        var c = StashSoak.Configuration()
        XCTAssertNil(c.problem)
        c.dropClicks = 1
        XCTAssertEqual(c.problem, "--drop-clicks must be in [0, 1)")
        c.dropClicks = 0
        c.scale = 3
        XCTAssertEqual(c.problem, "--scale must be 0.5...2")
        XCTAssertThrowsError(
            try StashSoak(c).run(display: ":nowhere", classifier: CellClassifier(classNames: ["a", "b"], seed: 1))
        ) {
            XCTAssertEqual($0 as? WorkshopError, .invalidValue("--scale must be 0.5...2"))
        }
        XCTAssertTrue(StashSoak.Totals().passed)
        var lost = StashSoak.Totals()
        lost.lost = 1
        XCTAssertFalse(lost.passed)
    }

    func testDemoChecksTheRealCropsOnlyWhenTheyAreThere() {
        var c = StashDemo.Configuration(directory: URL(fileURLWithPath: "/tmp"))
        c.realGems = URL(fileURLWithPath: "/nonexistent/gems")
        let text = StashDemo(c).realGemsCheck(CellClassifier(classNames: ["blue", "empty", "green", "red"], seed: 1))
        XCTAssertEqual(text, "(Real gem crops not found at /nonexistent/gems: skipped the real-data check.)")
    }
}

/// The stash sorter's perception on rendered game screenshots (`arena measure`), in-process.
final class ScreenshotMeasureTests: XCTestCase {
    func testTheBuiltInClassifierReadsAGameScreenshot() throws {
        let classifier = try BuiltInModel.load().classifier
        let row = try ScreenshotMeasure.measure(
            classifier, width: 1920, height: 1080, seeds: 1, fill: 0.5, jpegQuality: 0, minConfidence: 0.5)
        XCTAssertEqual(row.cells, 144)
        XCTAssertEqual(row.total.reduce(0, +), 144)
        XCTAssertLessThan(row.worstDetectionError, 1.5, "the grid is found within a pixel or so")
        let right = Double(row.right.reduce(0, +)) / 144
        XCTAssertGreaterThan(right, 0.9, "\(row.right) of \(row.total)")
    }

    func testSortSummarySaysHowItEnded() {
        var r = SortReport()
        r.clicks = 12
        r.lowerBound = 10
        r.completed = true
        XCTAssertTrue(r.summary.hasPrefix("Clicks: 12 (lower bound 10;"), r.summary)
        XCTAssertTrue(r.summary.hasSuffix("Sorted; the cursor is empty."), r.summary)
        r.completed = false
        r.stopReason = "kill switch"
        XCTAssertTrue(r.summary.hasSuffix("Stopped: kill switch"), r.summary)
    }
}
