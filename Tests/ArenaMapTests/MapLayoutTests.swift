import XCTest
import Foundation
import Arena
import Desktop
import Imaging

/// The map game's layouts: nine classes, fixed macro structure, varied details, exact masks.
final class MapLayoutTests: XCTestCase {
    /// Writes pictures for a person to look at when PIXELPILOT_PREVIEW names a folder.
    func preview(_ image: Image, _ name: String) {
        guard let dir = ProcessInfo.processInfo.environment["PIXELPILOT_PREVIEW"] else { return }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? PNG.write(image, path: "\(dir)/\(name).png")
    }

    func testEveryClassIsConnectedFromEntranceToExitAndWallsBorderTheGround() throws {
        for c in LayoutClass.allCases {
            let a = MapLayout(layoutClass: c, seed: 1)
            preview(a.guide(), "guide-\(c.rawValue)")
            XCTAssertTrue(a.isWalkable(a.entrance), "\(c): entrance on ground")
            XCTAssertTrue(
                a.isWalkable(a.exit),
                "\(c): exit reachable from the entrance (the walkable mask is the entrance's component)")
            let walk = a.walkable.reduce(0) { $0 + Int($1) }
            let walls = a.walls.reduce(0) { $0 + Int($1) }
            XCTAssertGreaterThan(walk, 40_000, "\(c): open ground")
            XCTAssertGreaterThan(walls, 3_000, "\(c): wall lines")
            // Every wall pixel lies on the border between ground and rock.
            var bad = 0
            for y in 1..<(a.height - 1) {
                for x in 1..<(a.width - 1) where a.walls[y * a.width + x] != 0 {
                    let i = y * a.width + x
                    let me = a.walkable[i]
                    if a.walkable[i - 1] == me && a.walkable[i + 1] == me && a.walkable[i - a.width] == me
                        && a.walkable[i + a.width] == me
                    {
                        bad += 1
                    }
                }
            }
            XCTAssertEqual(bad, 0, "\(c): wall pixels off the ground's border")
        }
        // Water edges where the class has water.
        XCTAssertGreaterThan(MapLayout(layoutClass: .lakeside, seed: 1).waterEdges.reduce(0) { $0 + Int($1) }, 500)
        XCTAssertGreaterThan(MapLayout(layoutClass: .shoreline, seed: 1).waterEdges.reduce(0) { $0 + Int($1) }, 500)
        XCTAssertEqual(MapLayout(layoutClass: .zigzag, seed: 1).waterEdges.reduce(0) { $0 + Int($1) }, 0)
    }

    func testInstancesOfOneClassShareStructureAndDifferInDetail() throws {
        // Same seed: identical. Another seed: different pixels, but closer to its own class than
        // to any other class (coarse overlap of the walkable ground).
        XCTAssertEqual(MapLayout(layoutClass: .fork, seed: 3).walkable, MapLayout(layoutClass: .fork, seed: 3).walkable)
        func coarse(_ l: MapLayout) -> [Float] {
            let cell = 64
            var out = [Float](repeating: 0, count: (l.width / cell) * (l.height / cell))
            for y in 0..<l.height {
                for x in 0..<l.width where l.walkable[y * l.width + x] != 0 {
                    out[(y / cell) * (l.width / cell) + x / cell] += 1
                }
            }
            let n = out.reduce(0, +)
            return out.map { $0 / n }
        }
        func similarity(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + min($1.0, $1.1) } }
        for c in LayoutClass.allCases {
            let a = MapLayout(layoutClass: c, seed: 11)
            let b = MapLayout(layoutClass: c, seed: 12)
            XCTAssertNotEqual(a.walkable, b.walkable, "\(c): seeds vary the details")
            let same = similarity(coarse(a), coarse(b))
            for o in LayoutClass.allCases where o != c {
                let other = similarity(coarse(a), coarse(MapLayout(layoutClass: o, seed: 12)))
                XCTAssertGreaterThan(same, other, "\(c) vs \(o): an instance is nearer its own class")
            }
        }
    }

    func testFramesLookLikeTheMinimapAndTheCodeReadsBack() throws {
        let layout = MapLayout(layoutClass: .hub, seed: 2)
        let world = MapWorld(layout: layout, effects: .normal, seed: 2)
        world.held = [.right]
        for _ in 0..<60 { world.step(0.05) }
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let full = MapRenderer.image(
            world, view: view, rect: ScreenRect(x: 0, y: 0, width: 1280, height: 720), frameIndex: 12345)
        preview(full, "frame-720p")
        XCTAssertEqual(MapRenderer.frameIndex(in: full), 12345)
        let view4k = MapView(screenWidth: 3840, screenHeight: 2160)
        let crop = MapRenderer.image(world, view: view4k, rect: view4k.captureRect, frameIndex: 1)
        preview(crop, "capture-4k")
        XCTAssertEqual(view4k.captureRect, ScreenRect(x: 1320, y: 460, width: 1200, height: 1200))
        // Lavender wall pixels exist (the measured colour range) and are a small share, as in the game.
        var lines = 0
        for i in stride(from: 0, to: crop.pixels.count, by: 3) {
            let r = crop.pixels[i]
            let g = crop.pixels[i + 1]
            let b = crop.pixels[i + 2]
            if (110...150).contains(r) && g <= 150 && b >= 150 { lines += 1 }
        }
        let share = Double(lines) / Double(crop.width * crop.height)
        XCTAssertGreaterThan(share, 0.003)
        XCTAssertLessThan(share, 0.08)
    }
}
