import Arena
import Desktop
import Foundation
import Imaging
import XCTest

/// The map game's varied looks: drawn from a seed, around the real game's measured minimap, with
/// the truth still under the lines.
final class MapLookTests: XCTestCase {
    func testVariedLooksAreSeededAndStayAroundTheGamesMinimap() {
        XCTAssertEqual(MapLook.varied(seed: 7), MapLook.varied(seed: 7))
        let looks = (0..<200).map { MapLook.varied(seed: UInt64($0)) }
        XCTAssertGreaterThan(Set(looks.map(\.wall[0])).count, 150, "the wall colour varies")
        for l in looks {
            // Lavender: the blue leads, red and green close; the water edge is cyan.
            XCTAssertGreaterThan(l.wall[2], l.wall[0] + 30)
            XCTAssertLessThan(abs(l.wall[0] - l.wall[1]), 25)
            XCTAssertGreaterThan(l.water[1], l.water[0] + 20)
            XCTAssert((0.55...0.95).contains(l.opacity) && (0.85...1.25).contains(l.minimapScale))
            if let q = l.jpegQuality { XCTAssert((40...95).contains(q)) }
        }
        // Every kind of ground, compression and blur turns up.
        XCTAssert(looks.contains { $0.groundContrast < 0.5 } && looks.contains { $0.groundContrast > 1.3 })
        XCTAssert(looks.contains { $0.jpegQuality != nil } && looks.contains { $0.jpegQuality == nil })
        XCTAssert(looks.contains { $0.blur > 0 } && looks.contains { $0.noise > 0 })
    }

    /// Frames in varied looks differ from the arena's, and their truth masks (zoom included) lie
    /// on the drawn lines: the truth pixels are bluer and brighter than the frame around them.
    func testVariedFramesKeepTheirTruthOnTheLines() throws {
        let arena = try MapLineFrames.generate(layoutClass: .hub, seed: 9004, effects: .none, count: 3)
        let varied = try MapLineFrames.generate(
            layoutClass: .hub, seed: 9004, effects: .none, count: 3, appearance: .varied, lookSeed: 3)
        XCTAssertEqual(arena.count, varied.count)
        for (a, v) in zip(arena, varied) {
            XCTAssertEqual(a.look, .arena)
            XCTAssertNotEqual(v.look, .arena)
            XCTAssertNotEqual(a.image, v.image)
            XCTAssertEqual(v.image.width, 600)
            var onLine = (blue: 0.0, sum: 0.0, n: 0.0)
            var off = (blue: 0.0, sum: 0.0, n: 0.0)
            for i in 0..<(600 * 600) {
                let r = Double(v.image.pixels[3 * i])
                let g = Double(v.image.pixels[3 * i + 1])
                let b = Double(v.image.pixels[3 * i + 2])
                if v.lines[i] != 0 {
                    onLine = (onLine.blue + b - r, onLine.sum + r + g + b, onLine.n + 1)
                } else {
                    off = (off.blue + b - r, off.sum + r + g + b, off.n + 1)
                }
            }
            guard onLine.n > 200 else { continue }
            XCTAssertGreaterThan(onLine.blue / onLine.n, off.blue / off.n + 8, "\(v.look)")
            XCTAssertGreaterThan(onLine.sum / onLine.n, off.sum / off.n + 40, "\(v.look)")
        }
    }

    func testTheArenaLookIsTheDefaultRendering() throws {
        let layout = MapLayout(layoutClass: .fork, seed: 3)
        let world = MapWorld(layout: layout, effects: .normal, seed: 3)
        world.hardCases = false
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let rect = view.captureRect
        XCTAssertEqual(
            MapRenderer.image(world, view: view, rect: rect, frameIndex: 5),
            MapRenderer.image(world, view: view, rect: rect, frameIndex: 5, look: .arena))
        // A fully explored world shows more lines than the entrance alone.
        let before = MapRenderer.stitchedMap(world, view: view).image
        world.revealAll()
        let after = MapRenderer.stitchedMap(world, view: view)
        XCTAssertEqual(after.image.width, before.width)
        XCTAssertNotEqual(after.image, before)
        XCTAssert((0..<after.image.width).contains(after.origin.x) && (0..<after.image.height).contains(after.origin.y))
    }
}
