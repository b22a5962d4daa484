import XCTest
import Desktop
import StashSorter
import Imaging

/// The pointer's resting place may show the game world, not a plain background: the sorter
/// learns it by moving the pointer away (a held item goes with it).
final class CursorBackgroundTests: XCTestCase {
    /// A screen with a textured world and, when holding, an item drawn at the pointer.
    final class World: ScreenSource {
        var pointer = (x: 0, y: 0)
        var holding = true
        var screenRect: ScreenRect { ScreenRect(x: 0, y: 0, width: 400, height: 400) }
        func picture() -> Image {
            var img = Image(width: 400, height: 400, color: [0, 0, 0])
            for y in 0..<400 {
                for x in 0..<400 {
                    img.setPixel(
                        x: x, y: y, [UInt8((x * 7 + y * 3) % 90 + 40), UInt8((x * y) % 60 + 50), UInt8(y % 70 + 30)])
                }
            }
            if holding { img.fillCircle(cx: pointer.x, cy: pointer.y, radius: 20, color: [220, 40, 40]) }
            return img
        }
        func capture(_ rect: ScreenRect?) throws -> Frame { try StillScreen(image: picture()).capture(rect) }
        func capture(window: UInt) throws -> Frame { try capture(nil) }
    }

    func testLearnsATexturedRestingPlaceAndTellsHeldFromEmpty() throws {
        let world = World()
        let perception = StashPerception(
            source: world, classifier: CellClassifier(classNames: ["blue", "empty", "green", "red"]),
            grid: GridGeometry(originX: 0, originY: 0))
        let park = ScreenPoint(x: 300, y: 100)
        // Without a learnt background the textured world itself looks like a held item.
        world.holding = false
        world.pointer = (park.x, park.y)
        XCTAssertNotNil(try perception.readCursor(at: park))
        // Holding at the start: learning notices it and learns the world behind.
        world.holding = true
        let held = try perception.learnCursorBackground(at: park, away: ScreenPoint(x: 300, y: 250)) { p in
            world.pointer = (p.x, p.y)
        }
        XCTAssertTrue(held)
        XCTAssertNotNil(try perception.readCursor(at: park), "the item at the pointer")
        world.holding = false
        XCTAssertNil(try perception.readCursor(at: park), "the world alone reads as an empty cursor")
        // Not holding: nothing changes when the pointer moves away.
        XCTAssertFalse(
            try perception.learnCursorBackground(at: park, away: ScreenPoint(x: 300, y: 250)) { p in
                world.pointer = (p.x, p.y)
            })
    }
}
