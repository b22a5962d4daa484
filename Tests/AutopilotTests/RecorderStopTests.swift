import XCTest
import Foundation
import Arena
import Autopilot
import Desktop
import Recording
import Imaging

final class RecorderStopTests: XCTestCase {
    /// Esc (the seed's stop key) and the kill switch (Ctrl+Alt+K) each end `pixelpilot record`
    /// cleanly: exit 0, a finished file that says why it stopped.
    func testEscapeAndKillSwitchStopTheRecorder() throws {
        let xvfb = try VirtualDisplay(width: 400, height: 300)
        defer { xvfb.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let device = SafeInputDevice(
            wrapping: try X11InputDevice(connection: try X11Connection(name: xvfb.name)), timing: .immediate)
        for (combo, reason) in [("Escape", "Escape pressed"), ("ctrl+alt+k", "kill switch")] {
            let url = dir.appendingPathComponent("\(reason.prefix(4)).ppr")
            let p = Process()
            p.executableURL = RecordingUnderXvfbTests.binary
            p.arguments = [
                "record", "--display", xvfb.name, "--region", "64x64+0+0", "--fps", "20", "--seconds", "20", "--out",
                url.path,
            ]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: url.path) && Date() < deadline { usleep(10_000) }
            Thread.sleep(forTimeInterval: 1)
            try device.tap(try KeyCombo(parsing: combo))
            let stopBy = Date().addingTimeInterval(5)
            while p.isRunning && Date() < stopBy { usleep(10_000) }
            if p.isRunning { p.terminate() }
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, combo)
            let r = try RecordingFile(url: url)
            XCTAssertTrue(r.finished, combo)
            XCTAssertEqual(r.meta["stop_reason"], reason)
            XCTAssertGreaterThan(r.count, 10)
            XCTAssertLessThan(r.count, 200, "stopped long before the 20 s limit")
        }
    }
}
