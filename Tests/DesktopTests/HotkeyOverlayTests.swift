import XCTest
import Foundation
import Desktop
import DesktopTesting
import Imaging

final class HotkeyOverlayTests: XvfbTestCase {

    func testHotkeysFireWithAndWithoutNumLock() throws {
        let hotkeys = try X11Hotkeys(displayName: xvfb.name)
        defer { hotkeys.stop() }
        let fired = Counter()
        try hotkeys.register(try KeyCombo(parsing: "ctrl+alt+q")) { fired.add("start") }
        try hotkeys.register(try KeyCombo(parsing: "ctrl+alt+w")) { fired.add("stop") }
        let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        try device.tap(try KeyCombo(parsing: "ctrl+alt+q"))
        XCTAssertTrue(fired.wait(for: ["start"]), "\(fired.values)")
        try device.tap(try KeyCombo(parsing: "numlock"))  // Num Lock on: the grab still matches
        try device.tap(try KeyCombo(parsing: "ctrl+alt+w"))
        XCTAssertTrue(fired.wait(for: ["start", "stop"]), "\(fired.values)")
        try device.tap(try KeyCombo(parsing: "numlock"))
        try device.tap(try KeyCombo(parsing: "ctrl+alt+x"))  // not registered
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(fired.values, ["start", "stop"])
        XCTAssertThrowsError(try hotkeys.register(try KeyCombo(parsing: "ctrl+alt+nokey")) {})
    }

    func testKillSwitchStopsAnAgentWithin100msAndReleasesItsKeys() throws {
        let target = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 0, y: 0, width: 200, height: 200),
            picture: Image.testPattern(width: 200, height: 200))
        defer { target.close() }
        target.focus()
        let kill = try KillSwitch(displayName: xvfb.name)
        defer { kill.stop() }
        let agent = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        let binding = FocusBinding(windows: X11WindowSystem(connection: connection), target: target.window)
        binding.bind(agent)
        kill.watch(binding)
        let stopped = Counter()
        kill.onTrip { stopped.add("tripped") }
        try agent.press(try Key("Up"))  // the agent holds a key, as the autopilot does
        XCTAssertEqual(agent.held, [.key(.up)])
        // The user presses the kill switch on their own keyboard (another client injects it).
        let user = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        let pressed = Date()
        try user.tap(try KeyCombo(parsing: "ctrl+alt+k"))
        XCTAssertTrue(stopped.wait(for: ["tripped"], timeout: 1))
        XCTAssertLessThan(Date().timeIntervalSince(pressed), 0.1, "kill switch acted within 100 ms")
        XCTAssertTrue(agent.held.isEmpty, "the agent's held key was released")
        XCTAssertThrowsError(try agent.press(try Key("Up"))) { e in
            XCTAssertTrue("\(e)".contains("kill switch"), "\(e)")
        }
    }

    func testOverlayIsVisibleAndClickThrough() throws {
        let below = try X11PictureWindow(
            display: xvfb.name, rect: ScreenRect(x: 100, y: 100, width: 200, height: 150),
            picture: Image(width: 200, height: 150, color: [0, 0, 80]))
        defer { below.close() }
        below.focus()
        var picture = Image(width: 40, height: 30, color: [250, 200, 10])
        picture.fillRect(x: 5, y: 5, width: 10, height: 10, color: [10, 220, 30])
        let overlay = try X11Overlay(displayName: xvfb.name, image: picture, at: ScreenPoint(x: 150, y: 120))
        overlay.show()
        let source = X11ScreenSource(connection: connection)
        XCTAssertEqual(
            try source.capture(ScreenRect(x: 150, y: 120, width: 40, height: 30)).image.rgb(), picture,
            "overlay pixels on screen")
        // A click on the overlay reaches the window below.
        let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        try device.click(at: ScreenPoint(x: 160, y: 130))
        XCTAssertEqual(below.waitForEvents(2), ["press 1 at 60,30", "release 1 at 60,30"])
        // Update, move and hide.
        let second = Image(width: 20, height: 20, color: [255, 0, 255])
        try overlay.setImage(second)
        overlay.move(to: ScreenPoint(x: 10, y: 10))
        XCTAssertEqual(try source.capture(ScreenRect(x: 10, y: 10, width: 20, height: 20)).image.rgb(), second)
        overlay.hide()
        XCTAssertNotEqual(try source.capture(ScreenRect(x: 10, y: 10, width: 20, height: 20)).image.rgb(), second)
    }
}

/// A thread-safe list of strings with waiting.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) {
        lock.lock()
        items.append(s)
        lock.unlock()
    }
    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
    func wait(for expected: [String], timeout: Double = 2) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if values == expected { return true }
            usleep(1_000)
        }
        return values == expected
    }
}

/// Two agents on one display: the second kill switch finds Ctrl+Alt+K grabbed by the first and
/// watches the raw key stream instead; one press trips both.
final class SharedKillSwitchTests: XvfbTestCase {
    func testASecondKillSwitchOnTheSameDisplayStillTrips() throws {
        let first = try KillSwitch(displayName: xvfb.name)
        defer { first.stop() }
        let second = try KillSwitch(displayName: xvfb.name)
        defer { second.stop() }
        let user = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        Thread.sleep(forTimeInterval: 0.2)  // the raw watcher's event thread is listening
        try user.tap(KillSwitch.defaultCombo)
        let deadline = Date().addingTimeInterval(2)
        while !(first.isTripped && second.isTripped) && Date() < deadline { usleep(5_000) }
        XCTAssertTrue(first.isTripped, "the switch that holds the grab")
        XCTAssertTrue(second.isTripped, "the switch that watches the raw key stream")
    }
}
