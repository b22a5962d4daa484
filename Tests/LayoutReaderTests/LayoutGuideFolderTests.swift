import Arena
import Desktop
import Foundation
import Imaging
import LayoutReader
import XCTest

/// A user's guide pictures (`--guides DIR`): real PNG files named after layout classes, shown by
/// the overlay for the predicted layout (fitted to the guide area, no player marker), the built-in
/// guide for classes without a file, and errors that name the file.
final class LayoutGuideFolderTests: XCTestCase {
    let names = LayoutClass.allCases.map(\.description)
    var builtIn: [LayoutGuide] {
        LayoutClass.allCases.map { c in
            let l = MapLayout(layoutClass: c, seed: 1)
            return LayoutGuide(name: c.description, image: l.guide(), entranceX: l.entrance.x, entranceY: l.entrance.y)
        }
    }

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guides-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// 680×544 (twice the guide area): left half red, right half blue, a white bar across the middle.
    func halves() -> Image {
        var img = Image(width: 680, height: 544, color: [200, 30, 30])
        img.fillRect(x: 340, y: 0, width: 340, height: 544, color: [30, 40, 210])
        img.fillRect(x: 0, y: 262, width: 680, height: 20, color: [255, 255, 255])
        return img
    }

    func state(best: Int) -> GuideState {
        var s = GuideState(minConfidence: 0.5)
        s.classNames = names
        var probs = [Float](repeating: 0.2 / 8, count: 9)
        probs[best] = 0.8
        s.phase = .answer
        s.take(.prediction(LayoutPrediction(probabilities: probs, tokenCount: 40), linePixels: 500), sequence: 1)
        s.playerOffset = (30, -20)
        return s
    }

    /// The guide area (340×272 at 10, 44) of an overlay picture.
    func guideArea(_ img: Image) throws -> Image {
        try img.cropped(
            x: 10, y: 44, width: GuideOverlayPicture.guideAreaSize.width,
            height: GuideOverlayPicture.guideAreaSize.height)
    }

    func testUserPicturesReplaceTheirClassesGuidesInTheOverlay() throws {
        let dir = try folder()
        try PNG.write(halves(), path: dir.appendingPathComponent("north-loop.png").path)
        // By number, RGBA, smaller than the area (scaled up): left half opaque green, right half transparent.
        var small = Image(width: 34, height: 17, channels: 4)
        small.fillRect(x: 0, y: 0, width: 17, height: 17, color: [20, 220, 40, 255])
        small.fillRect(x: 17, y: 0, width: 17, height: 17, color: [250, 250, 250, 0])
        try PNG.write(small, path: dir.appendingPathComponent("3.png").path)
        try Data("my notes".utf8).write(to: dir.appendingPathComponent("README.txt"))
        let user = try LayoutGuideFolder(contentsOf: dir, classNames: names)
        XCTAssertEqual(user.pictures.keys.sorted(), [1, 3])
        XCTAssertEqual(user.pictures[1]?.file, "north-loop.png")
        let guides = user.guides(over: builtIn)
        XCTAssertEqual(guides.count, 9)
        XCTAssertEqual(guides[1].name, "north-loop")
        XCTAssertFalse(guides[1].marksPlayer)
        XCTAssertTrue(guides[0].marksPlayer)
        XCTAssertEqual(guides[1].image.width, 340, "twice the area: halved")
        XCTAssertEqual(guides[1].image.height, 272)
        XCTAssertEqual(guides[3].image.width, 340, "scaled up to the area's width, aspect kept")
        XCTAssertEqual(guides[3].image.height, 170)

        let mine = GuideOverlayPicture(guides: guides)
        let plain = GuideOverlayPicture(guides: builtIn)
        // North-loop predicted: the guide area is exactly the user's picture, fitted (box-filtered:
        // each pixel the mean of 2×2), with no player marker on it.
        let shown = try guideArea(mine.render(state(best: 1)))
        XCTAssertEqual(shown.pixels, guides[1].image.pixels)
        XCTAssertEqual(Array(shown.pixels[0..<3]), [200, 30, 30])
        let right = (20 * 340 + 300) * 3
        XCTAssertEqual(Array(shown.pixels[right..<(right + 3)]), [30, 40, 210])
        let bar = (135 * 340 + 100) * 3
        XCTAssertEqual(Array(shown.pixels[bar..<(bar + 3)]), [255, 255, 255])
        XCTAssertNotEqual(
            try guideArea(plain.render(state(best: 1))).pixels, shown.pixels, "the built-in guide is another picture")
        // The text and the top three are the same as with the built-in guides.
        let top = try mine.render(state(best: 1)).cropped(x: 0, y: 320, width: 360, height: 110)
        XCTAssertEqual(
            top.pixels, try plain.render(state(best: 1)).cropped(x: 0, y: 320, width: 360, height: 110).pixels)
        // Class 3 from 3.png: centred vertically in the area; transparency shows the area's background.
        let z = try guideArea(mine.render(state(best: 3)))
        let green = (136 * 340 + 50) * 3
        XCTAssertEqual(Array(z.pixels[green..<(green + 3)]), [20, 220, 40])
        let clear = (136 * 340 + 300) * 3
        XCTAssertEqual(Array(z.pixels[clear..<(clear + 3)]), [6, 7, 10])
        let above = (20 * 340 + 50) * 3
        XCTAssertEqual(Array(z.pixels[above..<(above + 3)]), [6, 7, 10], "above the 170-high picture: background")
        // A class without a file: the built-in guide, player marker and all (identical pictures).
        for best in [0, 5, 8] {
            XCTAssertEqual(mine.render(state(best: best)).pixels, plain.render(state(best: best)).pixels)
        }
    }

    func testBadGuideFoldersAreErrorsNamingTheFile() throws {
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "no error"
            } catch { return "\(error)" }
        }
        // A PNG named after no layout class.
        var dir = try folder()
        try PNG.write(halves(), path: dir.appendingPathComponent("hub.png").path)
        try PNG.write(halves(), path: dir.appendingPathComponent("castle.png").path)
        var m = message { _ = try LayoutGuideFolder(contentsOf: dir, classNames: names) }
        XCTAssertTrue(m.contains(dir.appendingPathComponent("castle.png").path) && m.contains("not a layout class"), m)
        XCTAssertTrue(m.contains("north-loop"), "the message lists the names: \(m)")
        // A number past the classes.
        dir = try folder()
        try PNG.write(halves(), path: dir.appendingPathComponent("9.png").path)
        m = message { _ = try LayoutGuideFolder(contentsOf: dir, classNames: names) }
        XCTAssertTrue(m.contains("9.png") && m.contains("not a layout class"), m)
        // An unreadable PNG: text bytes, and a truncated real PNG.
        dir = try folder()
        try Data("not a picture".utf8).write(to: dir.appendingPathComponent("fork.png"))
        m = message { _ = try LayoutGuideFolder(contentsOf: dir, classNames: names) }
        XCTAssertTrue(m.contains(dir.appendingPathComponent("fork.png").path), m)
        dir = try folder()
        let whole = try PNG.encode(halves())
        try whole.prefix(whole.count / 2).write(to: dir.appendingPathComponent("lakeside.png"))
        m = message { _ = try LayoutGuideFolder(contentsOf: dir, classNames: names) }
        XCTAssertTrue(m.contains(dir.appendingPathComponent("lakeside.png").path), m)
        // Two pictures for one class.
        dir = try folder()
        try PNG.write(halves(), path: dir.appendingPathComponent("hub.png").path)
        try PNG.write(halves(), path: dir.appendingPathComponent("5.png").path)
        m = message { _ = try LayoutGuideFolder(contentsOf: dir, classNames: names) }
        XCTAssertTrue(m.contains("hub.png") && m.contains("5.png") && m.contains("second picture"), m)
        // A missing folder, and one without pictures.
        let missing = dir.appendingPathComponent("nope")
        m = message { _ = try LayoutGuideFolder(contentsOf: missing, classNames: names) }
        XCTAssertTrue(m.contains(missing.path), m)
        dir = try folder()
        try Data("x".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        m = message { _ = try LayoutGuideFolder(contentsOf: dir, classNames: names) }
        XCTAssertTrue(m.contains(dir.path) && m.contains("no guide pictures"), m)
    }

    /// Through the X server: the click-through overlay shows the user's picture for the answer.
    func testTheOverlayOnXvfbShowsTheUsersPicture() throws {
        let dir = try folder()
        try PNG.write(halves(), path: dir.appendingPathComponent("twin-rooms.png").path)
        let guides = try LayoutGuideFolder(contentsOf: dir, classNames: names).guides(over: builtIn)
        let xvfb = try VirtualDisplay(width: 800, height: 600)
        defer { xvfb.stop() }
        let overlay = try X11Overlay(
            displayName: xvfb.name, image: Image(width: 8, height: 8), at: ScreenPoint(x: 400, y: 20))
        let presenter = GuideOverlayPresenter(overlay: overlay, picture: GuideOverlayPicture(guides: guides))
        presenter.present(state(best: 8))
        let screen = X11ScreenSource(connection: try X11Connection(name: xvfb.name))
        var onScreen = try screen.capture(overlay.rect).image.rgb()
        for _ in 0..<20 where onScreen.pixels != presenter.shown?.pixels {
            Thread.sleep(forTimeInterval: 0.05)
            onScreen = try screen.capture(overlay.rect).image.rgb()
        }
        XCTAssertEqual(onScreen.pixels, presenter.shown?.pixels)
        XCTAssertEqual(
            try guideArea(onScreen).pixels, guides[8].image.pixels, "the user's twin-rooms picture on screen")
    }
}
