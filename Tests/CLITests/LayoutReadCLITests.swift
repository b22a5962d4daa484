import Arena
import Desktop
import DesktopTesting
import Foundation
import Imaging
import XCTest

/// `pixelpilot layout read` on the three kinds of input a player has, and on bad ones.
final class LayoutReadCLITests: XCTestCase {
    func testReadsScreenshotsMapsAndSampleFoldersAndRefusesBadPictures() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("layout-read-cli-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // A held-out layout walked for 40 s by the arena's explorer.
        let seed: UInt64 = 900_000 + 41 * 16 + UInt64(LayoutClass.fork.rawValue)
        let layout = MapLayout(layoutClass: .fork, seed: seed)
        let world = MapWorld(layout: layout, effects: .normal, seed: seed)
        world.hardCases = false
        let explorer = try MapExplorer(layout: layout, seed: seed)
        while world.time < 40 {
            world.held = explorer.keys(player: world.player, time: world.time)
            world.step(1.0 / 30)
        }
        let view = MapView(screenWidth: 2560, screenHeight: 1440)
        let shot = MapRenderer.image(
            world, view: view, rect: ScreenRect(x: 0, y: 0, width: 2560, height: 1440), frameIndex: 1)
        try ImageFile.write(shot, path: work.appendingPathComponent("shot.jpg").path, quality: 92)
        // A screenshot (JPEG, 1440p): its centre square at scale 1440/1080.
        var r = try BuiltTool.run(
            BuiltTool.url(), ["layout", "read", "shot.jpg", "--out", "read-shot", "--report", "shot.json"], in: work)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.out.contains("screenshot shot.jpg: centre square 800x800"), r.out)
        XCTAssert(r.out.contains("  1. ") && r.out.contains("  3. "), r.out)
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("shot.json")))
                as? [String: Any])
        XCTAssertEqual(report["kind"] as? String, "screenshot")
        XCTAssertEqual(report["width"] as? Int, 800)
        XCTAssertEqual((report["scale"] as? Double) ?? 0, 1440.0 / 1080, accuracy: 1e-4)
        XCTAssertEqual((report["top"] as? [[String: Any]])?.count, 3)
        XCTAssertGreaterThan(report["linePixels"] as? Int ?? 0, 500)
        for name in ["sheet", "mask", "tokens"] {
            let png = try PNG.read(path: work.appendingPathComponent("read-shot/\(name).png").path)
            // The UNet reads at the seed's half scale: 800 px at 1440p are 600 there.
            if name != "sheet" { XCTAssertEqual(png.width, 600, name) }
        }
        // A stitched map with its entrance, and the same map as a sample folder.
        let (map, origin) = MapRenderer.stitchedMap(world, view: MapLineFrames.halfScaleView)
        try PNG.write(map, path: work.appendingPathComponent("map.png").path)
        r = try BuiltTool.run(
            BuiltTool.url(),
            ["layout", "read", "map.png", "--origin", "\(origin.x),\(origin.y)", "--report", "map.json"], in: work)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.out.contains("map map.png: \(map.width)x\(map.height), origin \(origin.x),\(origin.y)"), r.out)
        let sample = work.appendingPathComponent("samples/unlabelled/s1")
        try FileManager.default.createDirectory(at: sample, withIntermediateDirectories: true)
        try PNG.write(map, path: sample.appendingPathComponent("map.png").path)
        let json = """
            {"format":"pixelpilot-layout-sample/1","id":"s1","originX":\(origin.x),"originY":\(origin.y),
             "source":"stream","scale":1,"frames":40,"created":"2026-12-07"}
            """
        try Data(json.utf8).write(to: sample.appendingPathComponent("sample.json"))
        r = try BuiltTool.run(
            BuiltTool.url(), ["layout", "read", "samples/unlabelled/s1", "--report", "sample.json"], in: work)
        XCTAssertEqual(r.status, 0, r.err)
        func probabilities(_ file: String) throws -> [Double] {
            let o = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent(file)))
            return (o as? [String: Any])?["probabilities"] as? [Double] ?? []
        }
        XCTAssertEqual(try probabilities("sample.json"), try probabilities("map.json"))
        XCTAssertEqual(try probabilities("map.json").count, 9)
        // Bad input: each a non-zero exit whose message names the file or option and the fault.
        try PNG.write(
            Image(width: 900, height: 780, color: [40, 46, 60]), path: work.appendingPathComponent("crop.png").path)
        // The same moment with the minimap overlay toggled off: the game's ground, no line.
        world.trigger(.mapOff, duration: 5)
        world.step(1.0 / 30)
        let off = MapRenderer.image(
            world, view: view, rect: ScreenRect(x: 0, y: 0, width: 2560, height: 1440), frameIndex: 2)
        try PNG.write(off, path: work.appendingPathComponent("map-off.png").path)
        let bad: [([String], [String])] = [
            (["crop.png"], ["crop.png", "not a game screenshot", "--origin"]),
            (["map-off.png"], ["map-off.png", "found no map line"]),
            (["map.png", "--origin", "99999,5"], ["map.png", "outside the \(map.width)x\(map.height) picture"]),
            (["map.png", "--origin", "5;5"], ["--origin", "X,Y"]),
            (["map.png", "--origin", "10,10", "--map-scale", "20"], ["map.png", "scale 20"]),
            (["nothing-here.png"], ["nothing-here.png", "no such file"]),
            (["samples"], ["samples", "neither a sample folder"]),
        ]
        for (arguments, needles) in bad {
            r = try BuiltTool.run(BuiltTool.url(), ["layout", "read"] + arguments, in: work)
            XCTAssertNotEqual(r.status, 0, "\(arguments)")
            for n in needles { XCTAssert(r.err.contains(n), "\(arguments): \(r.err)") }
            XCTAssertFalse(r.err.contains("Fatal error"), r.err)
        }
        r = try BuiltTool.run(BuiltTool.url(), ["layout", "read", "--help"], in: work)
        XCTAssert(r.out.contains("--origin") && r.out.contains("screenshot") && r.out.contains("--report"), r.out)
    }
}
