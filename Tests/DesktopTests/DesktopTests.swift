import XCTest
import Foundation
import Desktop
import DesktopTesting
import Imaging

/// Desktop against a real X server.
final class DesktopTests: XvfbTestCase {

    func testCaptureIsPixelExactForScreenRegionAndWindow() throws {
        let rect = ScreenRect(x: 100, y: 80, width: 61, height: 37)  // odd sizes on purpose
        let picture = Image.testPattern(width: rect.width, height: rect.height)
        let win = try X11PictureWindow(display: xvfb.name, rect: rect, picture: picture)
        defer { win.close() }
        for shm in [true, false] {
            let source = X11ScreenSource(connection: connection, useSharedMemory: shm)
            XCTAssertEqual(source.usesSharedMemory, shm)
            let region = try source.capture(rect)
            XCTAssertEqual(region.image.rgb(), picture, "region capture (shm: \(shm))")
            XCTAssertEqual(region.image.channels, 4)
            XCTAssertFalse(region.clipped)
            let window = try source.capture(window: win.window)
            XCTAssertEqual(window.image.rgb(), picture, "window capture (shm: \(shm))")
            let screen = try source.capture(nil)
            XCTAssertEqual(screen.image.width, 640)
            XCTAssertEqual(
                try screen.image.cropped(x: 100, y: 80, width: 61, height: 37).rgb(), picture,
                "full screen (shm: \(shm))")
            // A region partly off-screen is clipped and says so; one wholly off-screen is an error.
            let edge = try source.capture(ScreenRect(x: 600, y: 450, width: 100, height: 100))
            XCTAssertTrue(edge.clipped)
            XCTAssertEqual(edge.rect, ScreenRect(x: 600, y: 450, width: 40, height: 30))
            XCTAssertThrowsError(try source.capture(ScreenRect(x: 700, y: 0, width: 10, height: 10))) { e in
                XCTAssertTrue("\(e)".contains("wholly outside"), "\(e)")
            }
        }
        // Zero-copy frames show the same pixels.
        let source = X11ScreenSource(connection: connection)
        let raw = try source.withRawFrame(rect) { $0.image() }
        XCTAssertEqual(raw.rgb(), picture)
    }

    func testWindowThatClosedIsAClearError() throws {
        let win = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 10, y: 10, width: 20, height: 20),
            picture: Image.testPattern(width: 20, height: 20))
        let id = win.window
        win.close()
        let source = X11ScreenSource(connection: connection)
        XCTAssertThrowsError(try source.capture(window: id)) { e in
            XCTAssertTrue("\(e)".contains("0x\(String(id, radix: 16))"), "\(e)")
        }
        XCTAssertThrowsError(try X11WindowSystem(connection: connection).window(id: id))
    }

    func testInjectedClicksAndKeysArriveInOrderAtTheRightPlace() throws {
        let rect = ScreenRect(x: 50, y: 60, width: 200, height: 150)
        let win = try X11PictureWindow(
            display: xvfb.name, rect: rect, picture: Image.testPattern(width: 200, height: 150))
        defer { win.close() }
        win.focus()
        let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        try device.click(at: ScreenPoint(x: 60, y: 80))
        try device.click(at: ScreenPoint(x: 249, y: 209), button: .right)
        try device.tap(try KeyCombo(parsing: "a"))
        try device.tap(try KeyCombo(parsing: "Return"))
        try device.tap(try KeyCombo(parsing: "shift+b"))
        let events = win.waitForEvents(12)
        XCTAssertEqual(
            events,
            [
                "press 1 at 10,20", "release 1 at 10,20",
                "press 3 at 199,149", "release 3 at 199,149",
                "keydown a", "keyup a", "keydown Return", "keyup Return",
                "keydown Shift_L", "keydown b", "keyup b", "keyup Shift_L",
            ])
        XCTAssertTrue(device.held.isEmpty)
    }

    func testUnknownKeyIsAnErrorAndNothingStaysPressed() throws {
        let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        XCTAssertThrowsError(try device.press(try Key("notakey"))) { e in
            XCTAssertTrue("\(e)".contains("unknown key name 'notakey'"), "\(e)")
        }
        try device.press(try Key("shift"))
        try device.press(MouseButton.left)
        XCTAssertEqual(device.held, [.key(.shift), .button(.left)])
        device.releaseAll()
        XCTAssertTrue(device.held.isEmpty)
        XCTAssertFalse(anyKeyDown(), "the server sees no key held after releaseAll")
    }

    func testDeviceReleasesWhatItHoldsWhenItGoesAway() throws {
        do {
            let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
            try device.press(try Key("ctrl"))
            try device.press(try Key("a"))
            XCTAssertTrue(anyKeyDown())
        }
        XCTAssertFalse(anyKeyDown(), "keys released when the device was deallocated")
    }

    /// True when the server reports any key or button down.
    func anyKeyDown() -> Bool { serverHoldsInput() }

    func testFocusBindingInjectsNothingWhileAnotherWindowHasFocus() throws {
        let target = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 0, y: 0, width: 100, height: 100),
            picture: Image.testPattern(width: 100, height: 100), title: "target")
        let other = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 200, y: 0, width: 100, height: 100),
            picture: Image.testPattern(width: 100, height: 100), title: "other")
        defer {
            target.close()
            other.close()
        }
        let windows = X11WindowSystem(connection: connection)
        let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        let binding = FocusBinding(windows: windows, target: target.window)
        binding.bind(device)
        other.focus()
        XCTAssertEqual(try windows.activeWindow()?.id, other.window)
        XCTAssertThrowsError(try device.click(at: ScreenPoint(x: 10, y: 10))) { e in
            XCTAssertTrue("\(e)".contains("does not have focus"), "\(e)")
        }
        XCTAssertThrowsError(try device.tap(try KeyCombo(parsing: "a")))
        target.focus()
        XCTAssertThrowsError(try device.click(at: ScreenPoint(x: 250, y: 10))) { e in
            XCTAssertTrue("\(e)".contains("outside the target window"), "\(e)")
        }
        try device.click(at: ScreenPoint(x: 10, y: 10))
        XCTAssertEqual(target.waitForEvents(2), ["press 1 at 10,10", "release 1 at 10,10"])
        XCTAssertEqual(other.events, [], "nothing reached the other window")
        binding.kill()
        XCTAssertThrowsError(try device.click(at: ScreenPoint(x: 10, y: 10))) { e in
            XCTAssertTrue("\(e)".contains("kill switch"), "\(e)")
        }
        XCTAssertEqual(binding.refusals.count, 4)
    }

    func testWindowListAndActiveWindow() throws {
        let win = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 30, y: 40, width: 50, height: 60),
            picture: Image.testPattern(width: 50, height: 60), title: "Path of Exile")
        defer { win.close() }
        win.focus()
        let ws = X11WindowSystem(connection: connection)
        let found = try ws.findWindow(matching: "path of")
        XCTAssertEqual(found.id, win.window)
        XCTAssertEqual(found.rect, ScreenRect(x: 30, y: 40, width: 50, height: 60))
        XCTAssertEqual(found.className, "PixelPilotTest")
        XCTAssertEqual(try ws.activeWindow()?.title, "Path of Exile")
        XCTAssertThrowsError(try ws.findWindow(matching: "no such game"))
    }

    func testClipboardTextOwnedByAnotherClientIsRead() throws {
        let text = "Item Class: Skill Gems\nRarity: Gem\nVaal Cyclone\n--------\nLevel: 20 (Max)\n"
        let owner = try X11Clipboard(displayName: xvfb.name)
        try owner.own(text)
        defer { owner.stopOwning() }
        let clipboard = X11Clipboard(connection: connection)
        XCTAssertEqual(try clipboard.readText(), text)
        try owner.own("second ünïcode text")
        XCTAssertEqual(try clipboard.readText(), "second ünïcode text")
    }

    func testNoDisplayIsAClearError() {
        XCTAssertThrowsError(try X11Connection(name: ":987")) { e in
            XCTAssertTrue("\(e)".contains("cannot open X display ':987'"), "\(e)")
        }
    }

    func testDoctorReportsExtensions() throws {
        let report = DisplayDoctor.report(connection: connection)
        XCTAssertTrue(report.contains("ok   MIT-SHM"), report)
        XCTAssertTrue(report.contains("ok   XTEST"), report)
        XCTAssertTrue(report.contains("ok   capture"), report)
    }
}

final class FrameStreamTests: XCTestCase {
    func testPacedStreamKeepsItsRateWithoutDrift() throws {
        let xvfb = try VirtualDisplay(width: 320, height: 240)
        defer { xvfb.stop() }
        let connection = try X11Connection(name: xvfb.name)
        let source = X11ScreenSource(connection: connection)
        let stream = FrameStream(source: source, rect: ScreenRect(x: 0, y: 0, width: 256, height: 200), fps: 40)
        var stamps: [Double] = []
        try stream.run(duration: 0.5) { frame in
            stamps.append(frame.time.seconds)
            XCTAssertEqual(frame.image.width, 256)
            return true
        }
        XCTAssertEqual(stream.deliveredFrames + stream.lateFrames, 20, "frames at 40 fps over 0.5 s")
        XCTAssertGreaterThanOrEqual(stream.deliveredFrames, 15)
        XCTAssertEqual(stamps, stamps.sorted(), "monotonic timestamps")
        // No drift: the last frame is due at 19/40 s after the first.
        if let first = stamps.first, let last = stamps.last, stream.lateFrames == 0 {
            XCTAssertEqual(last - first, 19.0 / 40, accuracy: 0.03)
        }
        // A slow handler makes frames late, and they are counted.
        let slow = FrameStream(source: source, rect: nil, fps: 100)
        try slow.run(duration: 0.2) { _ in
            Thread.sleep(forTimeInterval: 0.025)
            return true
        }
        XCTAssertGreaterThan(slow.lateFrames, 5)
        XCTAssertEqual(slow.deliveredFrames + slow.lateFrames, 20, accuracy: 3)
    }
}

final class DesktopFaultTests: XCTestCase {
    func testTypedTextAndRateLimit() throws {
        let xvfb = try VirtualDisplay(width: 320, height: 240)
        defer { xvfb.stop() }
        let win = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 0, y: 0, width: 100, height: 100),
            picture: Image.testPattern(width: 100, height: 100))
        defer { win.close() }
        win.focus()
        let device = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        try device.type("aB 1")
        let typed = win.waitForEvents(10).filter { $0.hasPrefix("keydown") }
        XCTAssertEqual(typed, ["keydown a", "keydown Shift_L", "keydown b", "keydown space", "keydown 1"])
        // 20 actions at 100 per second take at least 0.19 s.
        device.timing = InputTiming(afterMove: 0, holdDown: 0, afterRelease: 0, maxActionsPerSecond: 100)
        let start = Date()
        for i in 0..<20 { try device.move(to: ScreenPoint(x: i, y: i)) }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.18)
        // Minimum pauses: a click with 30 ms after the move and 30 ms held lasts at least 60 ms.
        device.timing = InputTiming(afterMove: 0.03, holdDown: 0.03, afterRelease: 0, maxActionsPerSecond: .infinity)
        let t0 = Date()
        try device.click(at: ScreenPoint(x: 5, y: 5))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(t0), 0.06)
    }

    func testMissingExtensionsAreClearErrorsOrFallBack() throws {
        let noShm = try VirtualDisplay(width: 200, height: 100, extraArguments: ["-extension", "MIT-SHM"])
        defer { noShm.stop() }
        let c1 = try X11Connection(name: noShm.name)
        let source = X11ScreenSource(connection: c1)
        XCTAssertFalse(source.usesSharedMemory, "falls back to XGetImage without MIT-SHM")
        XCTAssertEqual(try source.capture(ScreenRect(x: 0, y: 0, width: 30, height: 20)).image.width, 30)
        XCTAssertTrue(DisplayDoctor.report(connection: c1).contains("FAIL MIT-SHM"))
        let noXTest = try VirtualDisplay(width: 200, height: 100, extraArguments: ["-extension", "XTEST"])
        defer { noXTest.stop() }
        XCTAssertThrowsError(try X11InputDevice(connection: try X11Connection(name: noXTest.name))) { e in
            XCTAssertTrue("\(e)".contains("lacks the XTEST extension"), "\(e)")
        }
    }
}
