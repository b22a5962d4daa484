import XCTest
import Foundation
import Desktop
import Imaging

/// The layout reader's commands, run as a user would, against the map arena on a private Xvfb.
final class LayoutCLITests: XCTestCase {
    var work: URL!
    var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pixelpilot")
    }

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("layout-cli-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [
                    NSLocalizedDescriptionKey:
                        "pixelpilot binary not built at \(binary.path): run `swift build --build-tests` first"
                ])
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    func process(_ args: [String]) -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = work
        let o = Pipe()
        let e = Pipe()
        p.standardOutput = o
        p.standardError = e
        return (p, o, e)
    }

    @discardableResult
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let (p, o, e) = process(args)
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    func testBadArgumentsAndRegionsAreClearErrors() throws {
        let size = try run(["arena", "map", "--size", "100x100"])
        XCTAssertNotEqual(size.status, 0)
        XCTAssertTrue(size.err.contains("--size must be between 1280x720 and 3840x2160"), size.err)
        let xvfb = try VirtualDisplay(width: 640, height: 480)
        defer { xvfb.stop() }
        let region = try run([
            "layout", "watch", "--display", xvfb.name, "--region", "400x400+500+300", "--start-now", "--seconds", "1",
        ])
        XCTAssertEqual(region.status, 1)
        XCTAssertTrue(region.err.contains("is not inside the screen"), region.err)
        let label = try run(["layout", "label", work.appendingPathComponent("nothing").path, "--class", "3"])
        XCTAssertEqual(label.status, 1)
        XCTAssertTrue(label.err.contains("no such sample folder"), label.err)
        XCTAssertNotEqual(try run(["layout", "label", "x", "--class", "9"]).status, 0)
    }

    func testArenaStreamCollectLabelPathsFogShow() throws {
        let xvfb = try VirtualDisplay(width: 1280, height: 720)
        defer { xvfb.stop() }
        let (arena, _, _) = process([
            "arena", "map", "--display", xvfb.name, "--class", "fork", "--seed", "3", "--effects", "none",
            "--autoplay", "--autoplay-delay", "1.5", "--seconds", "10", "--truth-out", "truth",
        ])
        try arena.run()
        defer { if arena.isRunning { arena.terminate() } }
        Thread.sleep(forTimeInterval: 1)
        let watch = try run([
            "layout", "watch", "--display", xvfb.name, "--start-now", "--fps", "2", "--frames", "12", "--seconds", "20",
            "--out", "stream",
        ])
        XCTAssertEqual(watch.status, 0, watch.err)
        XCTAssertTrue(watch.out.contains("frame 11:"), watch.out)
        arena.waitUntilExit()
        XCTAssertEqual(arena.terminationStatus, 0)
        let collect = try run(["layout", "collect", "stream/stream-1", "--samples", "samples", "--truth", "truth"])
        XCTAssertEqual(collect.status, 0, collect.err)
        XCTAssertFalse(collect.err.contains("does not line up"), collect.out + collect.err)
        let unlabelled = try FileManager.default.contentsOfDirectory(
            atPath: work.appendingPathComponent("samples/unlabelled").path)
        XCTAssertEqual(unlabelled.count, 1)
        let id = unlabelled[0]
        XCTAssertEqual(try run(["layout", "label", "samples/unlabelled/\(id)", "--class", "2"]).status, 0)
        let sample = "samples/2/\(id)"
        for f in ["sample.json", "map.png", "lines.png", "walkable.png", "walls.png", "truth/truth.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("\(sample)/\(f)").path), f)
        }
        let paths = try run(["layout", "paths", sample, "--count", "6"])
        XCTAssertEqual(paths.status, 0, paths.err)
        let fog = try run(["layout", "fog", sample, "--path", "0"])
        XCTAssertEqual(fog.status, 0, fog.err)
        XCTAssertTrue(fog.out.contains("% of the mask explored"), fog.out)
        let show = try run(["layout", "show", sample, "--path", "0", "--beside-truth", "--out", "sample.png"])
        XCTAssertEqual(show.status, 0, show.err)
        let picture = try PNG.read(path: work.appendingPathComponent("sample.png").path)
        let map = try PNG.read(path: work.appendingPathComponent("\(sample)/map.png").path)
        XCTAssertEqual(picture.width, 2 * map.width + 10)
        XCTAssertEqual(try run(["layout", "fog", sample, "--path", "99"]).status, 64)
    }

    /// `arena map --appearance varied` draws another look than the arena's, and `layout read`
    /// finds the lines in a screenshot of either.
    func testVariedArenaLooksAreDrawnAndRead() throws {
        let xvfb = try VirtualDisplay(width: 1920, height: 1080)
        defer { xvfb.stop() }
        var shots: [Image] = []
        for look in ["arena", "varied"] {
            let (arena, out, _) = process([
                "arena", "map", "--display", xvfb.name, "--size", "1920x1080", "--class", "hub", "--seed", "11",
                "--effects", "none", "--appearance", look, "--autoplay", "--seconds", "6",
            ])
            try arena.run()
            defer { if arena.isRunning { arena.terminate() } }
            Thread.sleep(forTimeInterval: 4)
            let shot = try run(["capture", "--display", xvfb.name, "--out", "\(look).png"])
            XCTAssertEqual(shot.status, 0, shot.err)
            arena.waitUntilExit()
            XCTAssertTrue(
                String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("look \(look)")
            )
            shots.append(try PNG.read(path: work.appendingPathComponent("\(look).png").path))
            let read = try run(["layout", "read", "\(look).png", "--out", "read-\(look)"])
            XCTAssertEqual(read.status, 0, "\(look): " + read.err)
            XCTAssertTrue(read.out.contains("line pixels"), read.out)
        }
        XCTAssertNotEqual(shots[0].pixels, shots[1].pixels)
    }

    func testDrawingPathsByHandWithRealPointerInput() throws {
        let xvfb = try VirtualDisplay(width: 800, height: 600)
        defer { xvfb.stop() }
        let sample = work.appendingPathComponent("s").path
        try FileManager.default.createDirectory(atPath: sample, withIntermediateDirectories: true)
        try PNG.write(Image(width: 300, height: 200, color: [40, 46, 60]), path: sample + "/map.png")
        let json =
            #"{"format":"pixelpilot-layout-sample/1","id":"s","originX":30,"originY":40,"source":"stream","frames":1,"created":"now"}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: sample + "/sample.json"))
        let (draw, out, _) = process(["layout", "draw", sample, "--display", xvfb.name])
        try draw.run()
        defer { if draw.isRunning { draw.terminate() } }
        Thread.sleep(forTimeInterval: 1.5)
        let input = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)),
            timing: .pauses(0.02, maxActionsPerSecond: 60))
        // The window sits at (20, 20) at scale 1: drag from map (100, 50) to (200, 150).
        try input.move(to: ScreenPoint(x: 120, y: 70))
        try input.press(MouseButton.left)
        for k in 1...10 { try input.move(to: ScreenPoint(x: 120 + 10 * k, y: 70 + 10 * k)) }
        try input.release(MouseButton.left)
        try input.tap(try KeyCombo(parsing: "s"))
        try input.tap(try KeyCombo(parsing: "q"))
        draw.waitUntilExit()
        XCTAssertEqual(draw.terminationStatus, 0)
        _ = out
        let paths = try JSONDecoder().decode(
            [String: [[[Int]]]].self,
            from: Data(contentsOf: URL(fileURLWithPath: sample + "/paths.json")).droppingKinds())
        let path = try XCTUnwrap(paths["paths"]?.first)
        XCTAssertEqual(path.first, [30, 40], "a drawn path starts at the origin")
        XCTAssertEqual(path.last, [200, 150])
        for (a, b) in zip(path, path.dropFirst()) {
            XCTAssertLessThanOrEqual(max(abs(a[0] - b[0]), abs(a[1] - b[1])), 1, "dense")
        }
    }
}

extension LayoutCLITests {
    func testLabelWindowTakesTheClassFromAKeyPress() throws {
        let xvfb = try VirtualDisplay(width: 1400, height: 800)
        defer { xvfb.stop() }
        let sample = work.appendingPathComponent("samples/unlabelled/s").path
        try FileManager.default.createDirectory(atPath: sample, withIntermediateDirectories: true)
        try PNG.write(Image(width: 300, height: 200, color: [40, 46, 60]), path: sample + "/map.png")
        let json =
            #"{"format":"pixelpilot-layout-sample/1","id":"s","originX":30,"originY":40,"source":"stream","frames":1,"created":"now"}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: sample + "/sample.json"))
        let (label, out, err) = process(["layout", "label", sample, "--choose", "--display", xvfb.name])
        try label.run()
        defer { if label.isRunning { label.terminate() } }
        Thread.sleep(forTimeInterval: 2)
        let input = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)),
            timing: .pauses(0.02, maxActionsPerSecond: 60))
        try input.tap(try KeyCombo(parsing: "3"))
        label.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(
            label.terminationStatus, 0, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        XCTAssertTrue(text.contains("is class 3"), text)
        let moved = work.appendingPathComponent("samples/3/s/sample.json").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: moved))
        let data = try Data(contentsOf: URL(fileURLWithPath: moved))
        XCTAssertEqual((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["layoutClass"] as? Int, 3)
    }
}

private extension Data {
    /// The paths file without its "kinds" list (so it decodes as one dictionary type).
    func droppingKinds() throws -> Data {
        var o = try JSONSerialization.jsonObject(with: self) as? [String: Any] ?? [:]
        o["kinds"] = nil
        return try JSONSerialization.data(withJSONObject: o)
    }
}
