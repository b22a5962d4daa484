import Arena
import Desktop
import Foundation
import Imaging
import LayoutReader
import XCTest

/// `layout read`'s library: screenshots, stitched maps, sample and stream folders read with the
/// live reader's models, and the bad pictures it refuses.
final class OfflineReadTests: XCTestCase {
    /// A held-out instance (the layout classifier's test seeds, instance 40) walked by the
    /// arena's scripted explorer for `seconds`, no hard cases.
    static func walkedWorld(_ c: LayoutClass, seconds: Double, effects: MapEffects = .normal) throws -> MapWorld {
        let seed: UInt64 = 900_000 + 40 * 16 + UInt64(c.rawValue)
        let layout = MapLayout(layoutClass: c, seed: seed)
        let world = MapWorld(layout: layout, effects: effects, seed: seed)
        world.hardCases = false
        let explorer = try MapExplorer(layout: layout, seed: seed)
        while world.time < seconds {
            world.held = explorer.keys(player: world.player, time: world.time)
            world.step(1.0 / 30)
        }
        return world
    }

    static let models: LocalLayoutInference = {
        LocalLayoutInference(
            extractor: try! UNetLineExtractor.loadDefault(),
            classifier: try! ViTLayoutClassifier.loadDefault().classifier)
    }()

    /// Share of `a`'s line pixels within one pixel of a line pixel of `b`.
    static func near(_ a: [UInt8], _ b: [UInt8], width w: Int, height h: Int) -> Double {
        var hit = 0
        var total = 0
        for y in 0..<h {
            for x in 0..<w where a[y * w + x] != 0 {
                total += 1
                search: for dy in -1...1 {
                    for dx in -1...1 {
                        let yy = y + dy
                        let xx = x + dx
                        if yy >= 0, yy < h, xx >= 0, xx < w, b[yy * w + xx] != 0 {
                            hit += 1
                            break search
                        }
                    }
                }
            }
        }
        return total == 0 ? 0 : Double(hit) / Double(total)
    }

    /// A whole 1080p screenshot is cut to the seed's capture square with the player at its centre,
    /// and the lines found there are the walls the arena shows there; a 4K screenshot of the same
    /// moment (scale 2) gives nearly the same tokens and the same answer.
    func testScreenshotsAreReadInTheirCentreSquareAtTheirScale() throws {
        let world = try Self.walkedWorld(.hub, seconds: 25)
        var readings: [OfflineLayoutReading] = []
        for (w, h) in [(1920, 1080), (3840, 2160)] {
            let view = MapView(screenWidth: w, screenHeight: h)
            let screen = ScreenRect(x: 0, y: 0, width: w, height: h)
            let shot = MapRenderer.image(world, view: view, rect: screen, frameIndex: 1)
            let picture = try MapPicture(screenshot: shot, source: "shot-\(h).png")
            XCTAssertEqual(picture.crop, view.captureRect)
            XCTAssertEqual(picture.scale, Float(h) / 1080)
            XCTAssertEqual(picture.origin, GridPoint(x: view.captureRect.width / 2, y: view.captureRect.height / 2))
            let r = try OfflineLayoutReader.read(picture, with: Self.models)
            // The UNet works at the seed's half scale: its mask is the 1080p square's size.
            let half = MapLineFrames.halfScaleView
            let truth = MapLineFrames.truth(world, view: half, rect: half.captureRect)
            let side = half.captureRect.width
            XCTAssertEqual(r.mask.width, side)
            XCTAssertEqual(r.mask.height, side)
            guard r.mask.width == side, r.mask.height == side else { return }
            let precision = Self.near(r.mask.values, truth, width: side, height: side)
            let recall = Self.near(truth, r.mask.values, width: side, height: side)
            XCTAssertGreaterThan(precision, 0.8, "\(h)p: share of the found line pixels on a true wall")
            XCTAssertGreaterThan(recall, 0.7, "\(h)p: share of the true walls found")
            XCTAssertEqual(r.top.count, 3)
            XCTAssertEqual(
                r.top.map(\.probability).reduce(0, +),
                r.top[0].probability + r.top[1].probability + r.top[2].probability)
            XCTAssertGreaterThanOrEqual(r.top[0].probability, r.top[1].probability)
            XCTAssert((1...5).contains(r.lineThickness), "\(h)p: lines \(r.lineThickness) px thick")
            readings.append(r)
        }
        let (hd, uhd) = (readings[0], readings[1])
        XCTAssertLessThanOrEqual(abs(hd.tokenCount - uhd.tokenCount), max(3, hd.tokenCount / 5), "1080p and 4K tokens")
        XCTAssertEqual(hd.top[0].index, uhd.top[0].index)
    }

    /// A stitched map with its origin, the same map as a sample folder and as a stream folder are
    /// the same reading; long walks through held-out layouts are read as their class.
    func testMapsSamplesAndStreamsOfLongWalksAreReadAsTheirLayout() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("offline-read-\(UUID())")
        defer { try? FileManager.default.removeItem(at: work) }
        var right = 0
        let classes: [LayoutClass] = [.hub, .fork, .northLoop]
        for c in classes {
            let world = try Self.walkedWorld(c, seconds: 90)
            let (map, origin) = MapRenderer.stitchedMap(world, view: MapLineFrames.halfScaleView)
            let direct = try OfflineLayoutReader.read(
                try MapPicture(map: map, origin: origin, source: "map.png"), with: Self.models)
            XCTAssert(direct.top.map(\.index).contains(c.rawValue), "\(c): top three \(direct.top)")
            if direct.top[0].index == c.rawValue { right += 1 }
            // The same map as `layout collect` and `layout watch` would have saved it.
            let sample = work.appendingPathComponent("\(c)/sample").path
            try LayoutSample(
                id: "t", layoutClass: nil, originX: origin.x, originY: origin.y, source: "stream", scale: 1, frames: 1,
                created: "now"
            ).write(to: sample)
            try PNG.write(map, path: sample + "/map.png")
            let stream = work.appendingPathComponent("\(c)/stream").path
            try FileManager.default.createDirectory(atPath: stream, withIntermediateDirectories: true)
            try PNG.write(map, path: stream + "/map.png")
            let record = """
                {"format":"pixelpilot-layout-stream/1","regionX":660,"regionY":230,"regionWidth":600,
                 "regionHeight":600,"fps":2,"originX":\(origin.x),"originY":\(origin.y),"captured":1,"late":0,
                 "dropped":0,"frames":[]}
                """
            try Data(record.utf8).write(to: URL(fileURLWithPath: stream + "/stream.json"))
            for (folder, kind) in [(sample, MapPicture.Kind.sample), (stream, .stream)] {
                let p = try MapPicture.open(path: folder)
                XCTAssertEqual(p.kind, kind)
                XCTAssertEqual(p.origin, origin)
                XCTAssertEqual(p.scale, 1)
                let r = try OfflineLayoutReader.read(p, with: Self.models)
                XCTAssertEqual(r.prediction, direct.prediction, "\(kind) of \(c)")
            }
            // The report says what was read.
            let reportPath = work.appendingPathComponent("\(c).json").path
            try OfflineLayoutReport(direct, classNames: Self.models.classNames).write(to: reportPath)
            let report = try OfflineLayoutReport.read(from: reportPath)
            XCTAssertEqual(report.top, direct.top)
            XCTAssertEqual(report.originX, origin.x)
            XCTAssertEqual(report.classNames.count, report.probabilities.count)
            // The sheet holds both pictures and the answer rows.
            let sheet = direct.sheet(side: 300)
            XCTAssertGreaterThan(sheet.width, 600)
            XCTAssertGreaterThan(sheet.height, 300)
        }
        XCTAssertGreaterThanOrEqual(right, 2, "held-out long walks read as their class")
    }

    /// No lines, an origin outside the picture, a picture that is not a screenshot, a scale out
    /// of range and lines far too thick for the scale: each an error naming the file.
    func testBadPicturesAreErrorsThatNameTheFileAndTheFault() throws {
        let threshold = LocalLayoutInference(
            extractor: ColorThresholdLineExtractor(), classifier: try ViTLayoutClassifier.loadDefault().classifier)
        let dark = Image(width: 600, height: 600, color: [40, 46, 60])
        XCTAssertThrowsError(
            try OfflineLayoutReader.read(
                try MapPicture(map: dark, origin: GridPoint(x: 300, y: 300), source: "dark.png"), with: threshold)
        ) { e in
            XCTAssertEqual(e as? LayoutReadError, .noLines(path: "dark.png", extractor: "colour-threshold", linePixels: 0))
            XCTAssert("\(e)".contains("dark.png"))
        }
        XCTAssertThrowsError(try MapPicture(map: dark, origin: GridPoint(x: 600, y: 10), source: "m.png")) { e in
            XCTAssert("\(e)".contains("m.png") && "\(e)".contains("outside the 600x600 picture"), "\(e)")
        }
        XCTAssertThrowsError(try MapPicture(screenshot: dark, source: "crop.png")) { e in
            XCTAssert("\(e)".contains("crop.png") && "\(e)".contains("--origin"), "\(e)")
        }
        XCTAssertThrowsError(try MapPicture(map: dark, origin: GridPoint(x: 1, y: 1), scale: 20, source: "m.png")) {
            e in
            XCTAssert("\(e)".contains("scale 20"), "\(e)")
        }
        XCTAssertThrowsError(try MapPicture(map: dark, origin: GridPoint(x: 1, y: 1), scale: 0, source: "m.png"))
        // Wall outlines 24 px thick read at scale 1: far thicker than the game's.
        var thick = dark
        thick.strokeRect(x: 100, y: 100, width: 400, height: 400, color: [130, 130, 200], thickness: 24)
        XCTAssertThrowsError(
            try OfflineLayoutReader.read(
                try MapPicture(map: thick, origin: GridPoint(x: 300, y: 300), source: "thick.png"), with: threshold)
        ) { e in
            guard case .wrongScale(let path, _, let reason)? = e as? LayoutReadError else {
                return XCTFail("\(e)")
            }
            XCTAssertEqual(path, "thick.png")
            XCTAssert(reason.contains("24 px thick"), reason)
        }
        // The same outlines at scale 8 (a picture 8x the reader's) are thin enough.
        var big = Image(width: 1600, height: 1600, color: [40, 46, 60])
        big.strokeRect(x: 200, y: 200, width: 1200, height: 1200, color: [130, 130, 200], thickness: 24)
        let r = try OfflineLayoutReader.read(
            try MapPicture(map: big, origin: GridPoint(x: 800, y: 800), scale: 8, source: "big.png"), with: threshold)
        XCTAssertEqual(r.lineThickness, 3)
    }
}
