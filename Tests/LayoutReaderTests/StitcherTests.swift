import XCTest
import Foundation
import Arena
import Desktop
import LayoutReader
import Imaging

/// Stitching against the growing canvas, on arena frames and synthetic ones with known offsets.
final class StitcherTests: XCTestCase {
    func preview(_ image: Image, _ name: String) {
        guard let dir = ProcessInfo.processInfo.environment["PIXELPILOT_PREVIEW"] else { return }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? PNG.write(image, path: "\(dir)/\(name).png")
    }

    /// Runs `frames` arena frames through the stitcher; returns position errors of pasted frames
    /// and the reports.
    func run(
        _ recording: MapRecording, frames: Int, stitcher: MinimapStitcher
    ) -> (errors: [Float], captures: [MapRecording.Capture], reports: [StitchReport]) {
        var errors: [Float] = []
        var caps: [MapRecording.Capture] = []
        var reps: [StitchReport] = []
        var origin: (x: Float, y: Float)?
        for _ in 0..<frames {
            var c = recording.next()
            let r = stitcher.add(c.image)
            if r.outcome == .origin { origin = (c.offsetX, c.offsetY) }
            // Truth relative to the frame that became the origin.
            c.offsetX -= origin?.x ?? c.offsetX
            c.offsetY -= origin?.y ?? c.offsetY
            caps.append(c)
            reps.append(r)
            if ProcessInfo.processInfo.environment["STITCH_DEBUG"] != nil, [7, 9, 10].contains(c.truth.index) {
                preview(c.image, "debug-frame-\(c.truth.index)")
            }
            if ProcessInfo.processInfo.environment["STITCH_DEBUG"] != nil {
                print(
                    "frame \(c.truth.index) truth \(c.offsetX),\(c.offsetY) events \(c.truth.events) -> \(r.outcome) \(r.x ?? .nan),\(r.y ?? .nan) conf \(r.confidence) lines \(r.linePixels)"
                )
            }
            if r.outcome.isPasted, let x = r.x, let y = r.y {
                errors.append(((x - c.offsetX) * (x - c.offsetX) + (y - c.offsetY) * (y - c.offsetY)).squareRoot())
            }
        }
        return (errors, caps, reps)
    }

    func testArenaFramesStitchToTheTruePositionsAndHardCasesAreSkipped() throws {
        let layout = MapLayout(layoutClass: .eastRun, seed: 5)
        let view = MapView(screenWidth: 1920, screenHeight: 1080)
        let rec = try MapRecording(layout: layout, effects: .normal, view: view, seed: 5)
        rec.world.hardCases = false
        rec.scheduled = [8: .flash, 15: .mapOff, 22: .loading, 30: .teleport]
        let stitcher = MinimapStitcher()
        let (errors, caps, reports) = run(rec, frames: 45, stitcher: stitcher)
        let (map, ox, oy) = stitcher.stitchedMap()
        preview(map, "stitched-720p")
        preview(stitcher.canvas.linePicture(), "stitched-lines")
        _ = (ox, oy)
        for (c, r) in zip(caps, reports) where c.hidesMap {
            XCTAssertFalse(
                r.outcome.isPasted, "frame \(c.truth.index) (\(c.truth.events)) must be skipped: \(r.outcome)")
        }
        let teleported = caps.firstIndex { $0.truth.events.contains(.teleport) }
        XCTAssertNotNil(teleported, "the recording teleported")
        if let t = teleported {
            XCTAssertEqual(
                reports[t].outcome, .relocalised, "after the teleport the stream re-localises: \(reports[t].outcome)")
        }
        let pasted = reports.filter { $0.outcome.isPasted }.count
        XCTAssertGreaterThanOrEqual(pasted, 38, "\(reports.map { "\($0.index): \($0.outcome) \($0.confidence)" })")
        let mean = errors.reduce(0, +) / Float(max(1, errors.count))
        let worst = errors.max() ?? 0
        print(
            "arena 1080p: \(errors.count) pasted, mean error \(mean) px, max \(worst) px, ms/frame \(reports.map(\.milliseconds).reduce(0, +) / Double(reports.count))"
        )
        XCTAssertLessThan(mean, 0.5)
        XCTAssertLessThan(worst, 2)
    }

    /// A synthetic world of random lavender line segments; frames cut at known offsets.
    func syntheticWorld(size: Int) -> Image {
        var img = Image(width: size, height: size, color: [40, 46, 60])
        var state: UInt64 = 12345
        func rnd() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        for _ in 0..<(size * size / 6000) {
            let x = rnd() % size
            let y = rnd() % size
            img.drawLine(
                from: (x, y), to: (x + rnd() % 120 - 60, y + rnd() % 120 - 60), color: [132, 133, 180], thickness: 2)
        }
        return img
    }

    func testCanvasGrowsInEveryDirectionAndTheOriginStays() throws {
        let world = syntheticWorld(size: 1400)
        let side = 256
        let start = (x: 572, y: 572)
        // Right, back, left, back, down, back, up: each step 60 px.
        var path: [(Int, Int)] = [(0, 0)]
        for (dx, dy, n) in [(60, 0, 6), (-60, 0, 12), (60, 0, 6), (0, 60, 6), (0, -60, 12)] {
            for _ in 0..<n {
                let l = path.last!
                path.append((l.0 + dx, l.1 + dy))
            }
        }
        let stitcher = MinimapStitcher()
        for (dx, dy) in path {
            let frame = try world.cropped(x: start.x + dx, y: start.y + dy, width: side, height: side)
            let r = stitcher.add(frame)
            XCTAssertTrue(r.outcome.isPasted, "offset \(dx),\(dy): \(r.outcome)")
            if let x = r.x, let y = r.y {
                XCTAssertEqual(x, Float(dx), accuracy: 0.5)
                XCTAssertEqual(y, Float(dy), accuracy: 0.5)
            }
        }
        let b = try XCTUnwrap(stitcher.canvas.bounds)
        XCTAssertEqual(b.minX, -360 - side / 2)
        XCTAssertEqual(b.maxX, 360 + side / 2 - 1)
        XCTAssertEqual(b.minY, -360 - side / 2)
        XCTAssertEqual(b.maxY, 360 + side / 2 - 1)
        let map = stitcher.stitchedMap()
        XCTAssertEqual(map.originX, 360 + side / 2)
        XCTAssertEqual(map.originY, 360 + side / 2)
    }

    func testBadFramesAreReportedAndTheStreamGoesOn() throws {
        let world = syntheticWorld(size: 800)
        let stitcher = MinimapStitcher()
        XCTAssertEqual(stitcher.add(try world.cropped(x: 200, y: 200, width: 256, height: 256)).outcome, .origin)
        let wrong = stitcher.add(try world.cropped(x: 200, y: 200, width: 200, height: 256))
        XCTAssertEqual(
            wrong.outcome, .skipped(.wrongSize(width: 200, height: 256, expectedWidth: 256, expectedHeight: 256)))
        XCTAssertTrue(
            "\(SkipReason.wrongSize(width: 200, height: 256, expectedWidth: 256, expectedHeight: 256))".contains(
                "200x256"))
        XCTAssertEqual(stitcher.add(Image(width: 0, height: 0)).outcome, .skipped(.empty))
        let black = stitcher.add(Image(width: 256, height: 256))
        guard case .skipped(.noLines) = black.outcome else { return XCTFail("black frame: \(black.outcome)") }
        let white = stitcher.add(Image(width: 256, height: 256, color: [255, 255, 255]))
        guard case .skipped(.noLines) = white.outcome else { return XCTFail("white flash: \(white.outcome)") }
        // A frame of a place never seen (another world) is not pasted.
        var other = Image(width: 256, height: 256, color: [40, 46, 60])
        for k in 0..<30 {
            other.drawLine(from: (k * 8, 0), to: (255 - k * 3, 255), color: [132, 133, 180], thickness: 2)
        }
        let unknown = stitcher.add(other)
        XCTAssertFalse(unknown.outcome.isPasted, "\(unknown.outcome)")
        let good = stitcher.add(try world.cropped(x: 230, y: 190, width: 256, height: 256))
        XCTAssertTrue(good.outcome.isPasted, "\(good.outcome)")
        XCTAssertEqual(good.x ?? 0, 30, accuracy: 0.5)
        XCTAssertEqual(good.y ?? 0, -10, accuracy: 0.5)
    }
}
