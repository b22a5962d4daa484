import XCTest
import Foundation
import Arena
import Autopilot
import Desktop

final class ExpertUnderXvfbTests: XCTestCase {
    /// The expert drives an unseen track in the real arena window, pressing real arrow keys through
    /// XTest (focus-bound to the arena); the game (a short track, sped up 3x) sees only those key
    /// events.
    func testExpertDrivesSeveralLapsThroughRealKeys() throws {
        let xvfb = try VirtualDisplay(width: 800, height: 600)
        defer { xvfb.stop() }
        let truth = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: truth) }
        var options = RacerArenaOptions()
        options.trackSeed = 2026
        options.trackSize = 0.6
        options.timeScale = 3
        options.truthURL = truth
        let arena = try RacerArena(display: xvfb.name, options: options)
        arena.window.focus()
        arena.start()
        let connection = try X11Connection(name: xvfb.name)
        let agent = try InputAgent.x11(
            connection: connection, target: arena.window.window, timing: .pauses(0, maxActionsPerSecond: 400))
        defer { agent.stop() }
        let device = agent.device
        let loop = ExpertLoop(device: device, track: arena.track) { arena.snapshot() }
        let result = loop.run(laps: 3, seconds: 45)
        Thread.sleep(forTimeInterval: 0.1)
        let end = arena.snapshot()
        arena.close()
        let m = end.simulation.metrics
        print(
            "expert under Xvfb: \(result), \(m.lapTimes.map { String(format: "%.1f", $0) }) s laps, off-track \(String(format: "%.2f", m.offTrackTime)) s of \(String(format: "%.1f", m.time)) s, crashes \(m.crashes), \(loop.keyEvents) key events, \(end.frames) frames"
        )
        XCTAssertEqual(result, .laps(3))
        XCTAssertGreaterThanOrEqual(m.laps, 3)
        XCTAssertLessThan(m.offTrackTime / m.time, 0.05, "little time off the asphalt")
        XCTAssertLessThanOrEqual(m.crashes, 1)
        XCTAssertGreaterThan(loop.keyEvents, 20, "it drove by keys")
        XCTAssertEqual(end.keys, [], "every key released at the end")
        // The truth file: a header, one line per frame and one per key event the game received.
        let lines = try String(contentsOf: truth, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines[0].contains("pixelpilot-racer-truth"))
        let frameLines = lines.filter { $0.contains("\"type\":\"frame\"") }
        let keyLines = lines.filter { $0.contains("\"type\":\"key\"") }
        XCTAssertEqual(frameLines.count, end.frames)
        XCTAssertEqual(
            frameLines.compactMap { RacerView(truthLine: Data($0.utf8)) }.count, frameLines.count,
            "every frame line parses")
        XCTAssertGreaterThanOrEqual(
            keyLines.count, loop.keyEvents, "the game received every key the expert sent (and the final release-all)")
        XCTAssertEqual(lines.count, 1 + frameLines.count + keyLines.count)
    }
}
