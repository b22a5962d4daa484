import XCTest
import Foundation
import Desktop
import DesktopTesting

final class RecorderTests: XCTestCase {
    func testRecorderSeesInjectedInputWithHeldKeySets() throws {
        let xvfb = try VirtualDisplay(width: 320, height: 240)
        defer { xvfb.stop() }
        let recorder = try X11InputRecorder(displayName: xvfb.name)
        let device = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        try device.press(try Key("Up"))
        Thread.sleep(forTimeInterval: 0.05)
        let whileUp = MonotonicTime.now
        try device.press(try Key("Left"))
        try device.click(at: ScreenPoint(x: 10, y: 10))
        try device.release(try Key("Up"))
        Thread.sleep(forTimeInterval: 0.05)
        let afterUp = MonotonicTime.now
        try device.release(try Key("Left"))
        let deadline = Date().addingTimeInterval(2)
        while recorder.recorded.events.count < 6 && Date() < deadline { usleep(2_000) }
        recorder.stop()
        let t = recorder.recorded
        XCTAssertEqual(
            t.events.map(\.event),
            [
                .key(.up, down: true), .key(.left, down: true), .button(.left, down: true),
                .button(.left, down: false), .key(.up, down: false), .key(.left, down: false),
            ])
        XCTAssertEqual(t.events.map(\.time), t.events.map(\.time).sorted(), "monotonic timestamps")
        XCTAssertEqual(t.held(at: whileUp), [.key(.up)])
        XCTAssertEqual(t.held(at: afterUp), [.key(.left)])
        XCTAssertEqual(t.held(at: t.events.last!.time), [])
    }

    func testTimelineLabelsAnyInstant() {
        var t = InputTimeline()
        t.append(TimedInputEvent(.key(.up, down: true), at: 1))
        t.append(TimedInputEvent(.key(.right, down: true), at: 2))
        t.append(TimedInputEvent(.key(.up, down: false), at: 3))
        t.append(TimedInputEvent(.key(.left, down: true), at: 1.5))  // out of order: inserted in place
        XCTAssertEqual(t.held(at: 0.5), [])
        XCTAssertEqual(t.held(at: 1.7), [.key(.up), .key(.left)])
        XCTAssertEqual(t.held(at: 2.5), [.key(.up), .key(.left), .key(.right)])
        XCTAssertEqual(t.held(at: 3), [.key(.left), .key(.right)])
    }
}
