import XCTest
import Foundation
import Arena
import Autopilot
import Desktop
import Recording
import Imaging

final class ClickThenEnterTests: XCTestCase {
    /// The seed's way: click the centre of the play area, press Enter; a 256x256 square around
    /// the click is recorded at 10 fps.
    func testClickThenEnterChoosesTheRegion() throws {
        let xvfb = try VirtualDisplay(width: 640, height: 480)
        defer { xvfb.stop() }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("click-\(UUID()).ppr")
        defer { try? FileManager.default.removeItem(at: url) }
        let p = Process()
        p.executableURL = RecordingUnderXvfbTests.binary
        p.arguments = ["record", "--display", xvfb.name, "--seconds", "1", "--out", url.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.2)
        let device = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        try device.click(at: ScreenPoint(x: 300, y: 200))
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing is recorded before Enter")
        try device.tap(try KeyCombo(parsing: "Return"))
        let deadline = Date().addingTimeInterval(8)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let r = try RecordingFile(url: url)
        XCTAssertEqual(
            [r.fingerprint.regionX, r.fingerprint.regionY, r.fingerprint.width, r.fingerprint.height],
            [172, 72, 256, 256])
        XCTAssertEqual(r.fingerprint.fps, 10)
        XCTAssertEqual(r.fingerprint.source, "click")
        XCTAssertEqual(r.fingerprint.keys, ["Up", "Left", "Right", "Down"])
        XCTAssertGreaterThanOrEqual(r.count, 9)
    }

    /// `--window NAME` records exactly that window's rectangle, and its pixels.
    func testWindowByName() throws {
        let xvfb = try VirtualDisplay(width: 640, height: 480)
        defer { xvfb.stop() }
        let picture = Image.testPattern(width: 200, height: 120)
        let window = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 50, y: 60, width: 200, height: 120), picture: picture,
            title: "Rally - test window", className: "RallyTest")
        defer { window.close() }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("window-\(UUID()).ppr")
        defer { try? FileManager.default.removeItem(at: url) }
        let p = Process()
        p.executableURL = RecordingUnderXvfbTests.binary
        p.arguments = [
            "record", "--display", xvfb.name, "--window", "Rally", "--seconds", "0.5", "--frame-format", "raw", "--out",
            url.path,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let r = try RecordingFile(url: url)
        XCTAssertEqual(
            [r.fingerprint.regionX, r.fingerprint.regionY, r.fingerprint.width, r.fingerprint.height],
            [50, 60, 200, 120])
        XCTAssertEqual(r.fingerprint.source, "window Rally")
        XCTAssertEqual(try r.image(0), picture, "the window's pixels, RGB")
    }
}
