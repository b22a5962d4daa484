import XCTest
import Foundation
import Desktop

final class RecorderTests: XCTestCase {
    func testRecorderSeesInjectedInputWithHeldKeySets() throws {
        let xvfb = try VirtualDisplay(width: 320, height: 240)
        defer { xvfb.stop() }
        let recorder = try X11InputRecorder(displayName: xvfb.name)
        let device = try X11InputDevice(connection: try X11Connection(name: xvfb.name), timing: .immediate)
        try device.keyDown("Up")
        Thread.sleep(forTimeInterval: 0.05)
        let whileUp = X11InputRecorder.monotonicNow()
        try device.keyDown("Left")
        try device.click(x: 10, y: 10)
        try device.keyUp("Up")
        Thread.sleep(forTimeInterval: 0.05)
        let afterUp = X11InputRecorder.monotonicNow()
        try device.keyUp("Left")
        let deadline = Date().addingTimeInterval(2)
        while recorder.recorded.events.count < 6 && Date() < deadline { usleep(2_000) }
        recorder.stop()
        let t = recorder.recorded
        XCTAssertEqual(t.events.map(\.description), ["keyDown Up", "keyDown Left", "buttonDown button 1", "buttonUp button 1", "keyUp Up", "keyUp Left"])
        XCTAssertEqual(t.events.map(\.timestamp), t.events.map(\.timestamp).sorted(), "monotonic timestamps")
        XCTAssertEqual(t.held(at: whileUp), ["Up"])
        XCTAssertEqual(t.held(at: afterUp), ["Left"])
        XCTAssertEqual(t.held(at: t.events.last!.timestamp), [])
    }

    func testTimelineLabelsAnyInstant() {
        var t = InputTimeline()
        t.append(InputEvent(kind: .keyDown, name: "Up", timestamp: 1))
        t.append(InputEvent(kind: .keyDown, name: "Right", timestamp: 2))
        t.append(InputEvent(kind: .keyUp, name: "Up", timestamp: 3))
        t.append(InputEvent(kind: .keyDown, name: "Left", timestamp: 1.5)) // out of order: inserted in place
        XCTAssertEqual(t.held(at: 0.5), [])
        XCTAssertEqual(t.held(at: 1.7), ["Up", "Left"])
        XCTAssertEqual(t.held(at: 2.5), ["Up", "Left", "Right"])
        XCTAssertEqual(t.held(at: 3), ["Left", "Right"])
    }
}
