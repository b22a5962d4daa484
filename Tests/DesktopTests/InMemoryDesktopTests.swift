import Desktop
import DesktopTesting
import Foundation
import Imaging
import XCTest

/// The Desktop seams on the in-memory backend and a manual clock: pacing, dry runs, guards, the
/// kill switch and recordings, without an X server.
final class InMemoryDesktopTests: XCTestCase {
    func testPacingPausesAndRateLimitRunOnTheGivenClock() throws {
        let clock = ManualClock()
        let backend = MemoryInputDevice(clock: clock)
        let device = SafeInputDevice(
            wrapping: backend,
            timing: InputTiming(
                afterMove: 0.05, holdDown: 0.02, afterRelease: 0.03,
                maxActionsPerSecond: 10), clock: clock)
        let start = clock.now()
        try device.click(at: ScreenPoint(x: 3, y: 4))
        // move (pause 0.05, but the rate limit spaces actions 0.1 apart), down, up (0.03 after).
        let times = backend.log.map { $0.time - start }
        XCTAssertEqual(times.count, 3)
        XCTAssertEqual(times[0], 0, accuracy: 1e-9)
        XCTAssertEqual(times[1], 0.1, accuracy: 1e-9)
        XCTAssertEqual(times[2], 0.2, accuracy: 1e-9)
        XCTAssertEqual(clock.now() - start, 0.23, accuracy: 1e-9)
        XCTAssertEqual(device.log.map(\.description), ["move 3 4", "down left", "up left"])
    }

    func testDryRunLogsButSendsNothing() throws {
        let backend = MemoryInputDevice()
        let device = SafeInputDevice(wrapping: backend, timing: .immediate, dryRun: true)
        try device.hold(try KeyCombo(parsing: "ctrl+c"))
        XCTAssertEqual(device.held, [.key(.control), .key(Key(canonicalName: "c"))])
        XCTAssertTrue(backend.log.isEmpty, "a dry run sends nothing")
        XCTAssertEqual(device.log.map(\.description), ["keydown ctrl", "keydown c"])
        device.releaseAll()
        XCTAssertTrue(device.held.isEmpty)
    }

    func testFocusBindingAndKillSwitchGuardAnyBackend() throws {
        let windows = MemoryWindowSystem()
        let game = windows.add(title: "Path of Exile", rect: ScreenRect(x: 0, y: 0, width: 100, height: 100))
        let chat = windows.add(title: "chat", rect: ScreenRect(x: 200, y: 0, width: 50, height: 50))
        let backend = MemoryInputDevice()
        let hotkeys = MemoryHotkeys()
        let agent = try InputAgent(
            backend: backend, windows: windows, target: game.id, hotkeys: hotkeys, timing: .immediate)
        XCTAssertEqual(hotkeys.registered, [KillSwitch.defaultCombo])
        windows.focus(chat.id)
        XCTAssertThrowsError(try agent.device.press(Key.up)) { e in
            XCTAssertEqual(
                e as? DesktopError, .refused(.input(.key(.up, down: true)), .notFocused(target: game.id, focused: chat))
            )
        }
        windows.focus(game.id)
        XCTAssertThrowsError(try agent.device.move(to: ScreenPoint(x: 210, y: 10))) { e in
            XCTAssertTrue("\(e)".contains("outside the target window"), "\(e)")
        }
        try agent.device.press(Key.up)
        try agent.device.press(MouseButton.left)
        XCTAssertEqual(backend.held, [.key(.up), .button(.left)])
        XCTAssertEqual(hotkeys.press(KillSwitch.defaultCombo), 1)
        XCTAssertTrue(backend.held.isEmpty, "the kill switch released everything")
        XCTAssertThrowsError(try agent.device.press(Key.up)) { XCTAssertTrue("\($0)".contains("kill switch"), "\($0)") }
        XCTAssertEqual(agent.binding?.refusals.count, 3)
    }

    func testARecordedSequenceReplaysToTheSameHeldSets() throws {
        let clock = ManualClock()
        let user = MemoryInputDevice(clock: clock)
        let recorder = MemoryInputRecorder(clock: clock)
        recorder.listen(to: user)
        let device = SafeInputDevice(
            wrapping: user, timing: .pauses(0.01, maxActionsPerSecond: .infinity), clock: clock)
        try device.press(Key.up)
        try device.press(try Key("ctrl"))
        try device.press(MouseButton.right)
        try device.release(Key.up)
        try device.tap(try KeyCombo(parsing: "shift+a"))
        try device.release(MouseButton.right)
        let recorded = recorder.recorded
        XCTAssertEqual(recorded.events.count, 9)
        // Stored (as a recording file would store it) and read back.
        let stored = try JSONDecoder().decode(InputTimeline.self, from: try JSONEncoder().encode(recorded))
        XCTAssertEqual(stored.events, recorded.events)
        // Replayed event by event onto a fresh device: after each event the device holds exactly what
        // the timeline says was held at that instant.
        let replay = MemoryInputDevice(clock: clock)
        for e in stored.events {
            try replay.perform(.input(e.event))
            XCTAssertEqual(replay.held, recorded.held(at: e.time), "at \(e)")
        }
        XCTAssertEqual(replay.held, [.key(.control)])
        XCTAssertEqual(user.held, replay.held)
    }

    func testMemoryScreenClipsLikeARealScreen() throws {
        let screen = MemoryScreen(picture: .testPattern(width: 40, height: 30))
        let edge = try screen.capture(ScreenRect(x: 30, y: 20, width: 20, height: 20))
        XCTAssertTrue(edge.clipped)
        XCTAssertEqual(edge.rect, ScreenRect(x: 30, y: 20, width: 10, height: 10))
        XCTAssertThrowsError(try screen.capture(ScreenRect(x: 50, y: 0, width: 5, height: 5))) { e in
            XCTAssertTrue("\(e)".contains("wholly outside"), "\(e)")
        }
    }

    func testAPictureOnALargerScreenIsBlackAroundItAndClipsLikeARealScreen() throws {
        let picture = Image(width: 4, height: 3, color: [200, 100, 50])
        let screen = ScreenRect(x: 0, y: 0, width: 10, height: 8)
        let time = MonotonicTime(seconds: 2)
        let inside = try Frame(
            capturing: ScreenRect(x: 6, y: 5, width: 2, height: 2), of: picture, at: ScreenPoint(x: 5, y: 4),
            screen: screen, time: time)
        XCTAssertEqual(inside.image, Image(width: 2, height: 2, color: [200, 100, 50]))
        XCTAssertFalse(inside.clipped)
        XCTAssertEqual(inside.time, time)
        let edge = try Frame(
            capturing: ScreenRect(x: 8, y: 6, width: 5, height: 5), of: picture, at: ScreenPoint(x: 5, y: 4),
            screen: screen, time: time)
        XCTAssertTrue(edge.clipped)
        XCTAssertEqual(edge.rect, ScreenRect(x: 8, y: 6, width: 2, height: 2))
        XCTAssertEqual(edge.image.pixel(x: 0, y: 0), [200, 100, 50], "(8, 6) is the picture's (3, 2)")
        XCTAssertEqual(edge.image.pixel(x: 1, y: 1), [0, 0, 0], "(9, 7) is beside the picture")
        let whole = try Frame(capturing: nil, of: picture, at: ScreenPoint(x: 5, y: 4), time: time)
        XCTAssertEqual(whole.rect, ScreenRect(x: 5, y: 4, width: 4, height: 3), "nil: the picture's own rectangle")
        XCTAssertEqual(whole.image, picture)
        XCTAssertThrowsError(
            try Frame(capturing: ScreenRect(x: 1, y: 1, width: 0, height: 3), of: picture, screen: screen, time: time)
        ) { e in XCTAssertEqual("\(e)", "\(DesktopError.emptyRegion(ScreenRect(x: 1, y: 1, width: 0, height: 3)))") }
        XCTAssertThrowsError(
            try Frame(capturing: ScreenRect(x: 10, y: 0, width: 2, height: 2), of: picture, screen: screen, time: time)
        ) { e in XCTAssertTrue("\(e)".contains("wholly outside the 10x8 screen"), "\(e)") }
    }
}
