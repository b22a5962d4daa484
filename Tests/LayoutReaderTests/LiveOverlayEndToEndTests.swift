import Arena
import Desktop
import Foundation
import Imaging
import LayoutReader
import XCTest

/// The whole live loop under Xvfb with the committed models: the map arena, the scripted explorer
/// pressing real keys, the live reader (capture, stitching, UNet, cleanup, tokens, ViT on a
/// background worker) and the click-through guide overlay, read back through the X server.
final class LiveOverlayEndToEndTests: XCTestCase {
    func testLiveReaderAutoplayAndOverlayNameTheRightLayout() throws {
        // The committed default models (Sources/LayoutReader/Resources) must load.
        let unet = try UNetLineExtractor.loadDefault()
        let vit = try ViTLayoutClassifier.loadDefault().classifier
        let xvfb = try VirtualDisplay(width: 1280, height: 720)
        defer { xvfb.stop() }
        let truth = LayoutClass.hub
        let seed: UInt64 = 9001
        let layout = MapLayout(layoutClass: truth, seed: seed)
        let view = MapView(screenWidth: 1280, screenHeight: 720)
        let arena = try MapArena(display: xvfb.name, layout: layout, effects: .normal, view: view, seed: seed, fps: 20)
        defer { arena.close() }
        arena.withWorld { $0.hardCases = false }
        arena.window.focus()
        var settings = LiveLayoutReader.Settings()
        settings.fps = 3
        settings.mapScale = view.scale
        let reader = try LiveLayoutReader(
            source: X11ScreenSource(connection: try X11Connection(name: xvfb.name)), region: view.captureRect,
            inference: LocalLayoutInference(extractor: unet, classifier: vit), settings: settings)
        let at = ScreenPoint(x: 1280 - GuideOverlayPicture.width - 10, y: 10)
        let overlay = try X11Overlay(displayName: xvfb.name, image: Image(width: 8, height: 8), at: at)
        let guides = LayoutClass.allCases.map { c -> LayoutGuide in
            let l = MapLayout(layoutClass: c, seed: 1)
            return LayoutGuide(name: c.description, image: l.guide(), entranceX: l.entrance.x, entranceY: l.entrance.y)
        }
        let presenter = GuideOverlayPresenter(overlay: overlay, picture: GuideOverlayPicture(guides: guides))
        // What the overlay ranks first (named, or first under "NOT SURE YET").
        let answers = Locked<[Int?]>([])
        let done = expectation(description: "three right answers in a row")
        let fulfilled = Locked(false)
        reader.onState = { presenter.present($0) }
        reader.onUpdate = { u in
            answers.mutate { $0.append(u.state.prediction?.best) }
            if answers.value.suffix(3).count == 3, answers.value.suffix(3).allSatisfy({ $0 == truth.rawValue }) {
                fulfilled.mutate {
                    if !$0 { done.fulfill() }
                    $0 = true
                }
            }
        }
        try reader.start()
        Thread.sleep(forTimeInterval: 0.8)
        let autoplay = try MapAutoplay(arena: arena, display: xvfb.name, seed: seed)
        wait(for: [done], timeout: 45)
        autoplay.stop()
        XCTAssertNil(autoplay.lastError)
        // What the overlay shows, read back from the X server.
        let state = try XCTUnwrap(presenter.state)
        let shown = try XCTUnwrap(presenter.shown)
        let screen = X11ScreenSource(connection: try X11Connection(name: xvfb.name))
        let onScreen = try screen.capture(presenter.overlay.rect).image.rgb()
        print("live e2e: answers \(answers.value), final \(state.statusLine), \(reader.droppedUpdates) maps dropped")
        XCTAssertEqual(state.prediction?.best, truth.rawValue, "the overlay ranks \(truth) first: \(state.statusLine)")
        XCTAssertEqual(onScreen.width, shown.width)
        XCTAssertEqual(onScreen.pixels, shown.pixels, "the X server shows the overlay's picture, above the arena")
        XCTAssertTrue(
            state.statusLine.hasPrefix(truth.description) || state.statusLine.hasPrefix("not sure yet: \(truth)"),
            state.statusLine)
        reader.stop()
        reader.wait()
        XCTAssertEqual(presenter.state?.phase, .hidden)
        let after = try screen.capture(presenter.overlay.rect).image.rgb()
        XCTAssertNotEqual(after.pixels, shown.pixels, "the overlay is gone when the stream stops")
    }
}
