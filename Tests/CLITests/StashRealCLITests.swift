import DesktopTesting
import XCTest
import Foundation
import Imaging
import Desktop
import Arena

/// The stash sorter as a user runs it on real-game-like screenshots: the built-in model, a
/// saved screenshot, the JSON report checked against the truth, and bad input.
final class StashRealCLITests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cli-stash-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: CLITests.binary.path) else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [NSLocalizedDescriptionKey: "pixelpilot binary not built at \(CLITests.binary.path)"])
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    @discardableResult
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try BuiltTool.run(CLITests.binary, args, in: work)
    }

    struct Report: Decodable {
        struct Grid: Decodable {
            var originX: Double
            var originY: Double
            var pitch: Double
            var columns: Int
            var rows: Int
            var source: String
        }
        struct Cell: Decodable {
            var column: Int
            var row: Int
            var className: String
            var confidence: Float
            var confident: Bool
        }
        struct Move: Decodable {
            var number: Int
            var item: String
        }
        var grid: Grid
        var cells: [Cell]
        var moves: [Move]
        var clicks: [[String: Int]]
        var lowerBound: Int
    }

    func testScreenshotWithReportGivesTheArenasTruth() throws {
        // A saved 1440p game-like screenshot (JPEG, as users often save them) and its truth.
        var r = try run([
            "arena", "screenshot", "--size", "2560x1440", "--seed", "5", "--highlight", "0.05",
            "--out", "shot.jpg", "--quality", "80", "--truth-out", "truth.json",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        r = try run(["sort", "--screenshot", "shot.jpg", "--report", "plan.json", "--pictures", "pics"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("Model: built-in"), r.out)
        XCTAssertTrue(r.out.contains("Detected grid: --grid "), r.out)
        XCTAssertTrue(r.out.contains("  1. "), "numbered moves: \(r.out)")
        let truth = try GameTruth.read(path: work.appendingPathComponent("truth.json").path)
        let report = try JSONDecoder().decode(
            Report.self, from: Data(contentsOf: work.appendingPathComponent("plan.json")))
        XCTAssertEqual(report.grid.source, "detected")
        XCTAssertEqual(report.grid.pitch, truth.grid.pitch, accuracy: 0.05)
        XCTAssertEqual(
            report.grid.originX + report.grid.pitch / 2, truth.grid.originX + truth.grid.pitch / 2, accuracy: 0.6)
        XCTAssertEqual(report.cells.map(\.className), truth.classNames, "every cell's class is the truth's")
        XCTAssertTrue(report.cells.allSatisfy(\.confident))
        XCTAssertEqual(report.clicks.count, report.lowerBound)
        XCTAssertFalse(report.moves.isEmpty)
        for f in ["pics/perception.png", "pics/preview.png", "pics/moves-01.png", "pics/moves.txt", "plan.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent(f).path), f)
        }
    }

    func testFractionalGridByHandReadsTheTruth() throws {
        var r = try run([
            "arena", "screenshot", "--size", "1920x1080", "--seed", "8", "--out", "shot.png", "--truth-out",
            "truth.json",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        let truth = try GameTruth.read(path: work.appendingPathComponent("truth.json").path)
        let g = truth.grid
        let arg = String(format: "%.2f,%.2f,%.2f,%.3f,12,12", g.originX, g.originY, g.cellSize, g.pitch)
        XCTAssertTrue(arg.contains("52.667"), arg)
        r = try run(["sort", "--screenshot", "shot.png", "--grid", arg, "--report", "r.json"])
        XCTAssertEqual(r.status, 0, r.err)
        let report = try JSONDecoder().decode(
            Report.self, from: Data(contentsOf: work.appendingPathComponent("r.json")))
        XCTAssertEqual(report.grid.source, "given")
        XCTAssertEqual(report.grid.pitch, 52.667, accuracy: 1e-9)
        XCTAssertEqual(report.cells.map(\.className), truth.classNames)
    }

    func testBadScreenshotsGiveClearErrors() throws {
        // Not a picture.
        try Data("this is not a screenshot".utf8).write(to: work.appendingPathComponent("corrupt.png"))
        var r = try run(["sort", "--screenshot", "corrupt.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("corrupt.png") && r.err.contains("neither a PNG nor a JPEG"), r.err)
        // A truncated JPEG.
        let good = try JPEG.encode(Image(width: 64, height: 64, color: [40, 40, 40]))
        try good.prefix(200).write(to: work.appendingPathComponent("cut.jpg"))
        r = try run(["sort", "--screenshot", "cut.jpg"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("cut.jpg") && r.err.contains("corrupt JPEG"), r.err)
        // No stash in the picture: says what it looked for and saw, and saves what it looked at.
        try PNG.write(
            Image(width: 800, height: 600, color: [30, 60, 40]), to: work.appendingPathComponent("nostash.png"))
        r = try run(["sort", "--screenshot", "nostash.png", "--pictures", "out"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("no grid found: looked for 13 vertical and 13 horizontal border lines"), r.err)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("out/detect-failed.png").path), r.err)
        // A quad tab sorted with the normal tab's --columns: refused, with the reason.
        r = try run([
            "arena", "screenshot", "--size", "1920x1080", "--tab", "quad", "--seed", "2", "--out", "quad.png",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        r = try run(["sort", "--screenshot", "quad.png", "--columns", "12", "--rows", "12"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("quad tab"), r.err)
        // Clicking needs a window.
        r = try run(["sort", "--screenshot", "quad.png", "--mode", "auto"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("only --mode suggest"), r.err)
        r = try run(["sort", "--screenshot", "quad.png", "--grid", "18,128,52,50"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--grid '18,128,52,50'"), r.err)
    }

    func testArenaWritesItsTruthOnSIGTERM() throws {
        let xvfb = try VirtualDisplay(width: 900, height: 900)
        defer { xvfb.stop() }
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = [
            "arena", "stash", "--display", xvfb.name, "--style", "game", "--seed", "3", "--truth-out",
            work.appendingPathComponent("t.json").path,
        ]
        let log = work.appendingPathComponent("arena.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: log)
        try p.run()
        // Wait for the window, then stop it the way a session manager would.
        let deadline = Date().addingTimeInterval(15)
        var seen = ""
        while !seen.contains("Grid: --grid"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            seen = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
        XCTAssertTrue(seen.contains("Grid: --grid 19.30,129.30"), seen)
        p.terminate()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 143)
        let truth = try GameTruth.read(path: work.appendingPathComponent("t.json").path)
        XCTAssertEqual(truth.cells.count, 144)
        XCTAssertEqual(truth.cells.compactMap { $0 }.count, StashState.random(fill: 0.5, seed: 3).allItems.count)
        XCTAssertNil(truth.cursor)
    }
}
