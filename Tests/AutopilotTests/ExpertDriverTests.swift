import XCTest
import Foundation
import Arena
import Autopilot

final class ExpertDriverTests: XCTestCase {
    /// The expert (with human-like delay and slips, decisions at 50 Hz) drives three laps of
    /// tracks it has never seen, in pure simulation.
    func testExpertDrivesLapsOfUnseenTracksInSimulation() {
        for seed in UInt64(101)...104 {
            let track = RacerTrack(seed: seed)
            var sim = RacerSimulation(track: track)
            var driver = ExpertDriver(track: track)
            var human = HumanLikeKeys(seed: seed)
            var keys = RacerControls()
            while sim.metrics.laps < 3 && sim.metrics.time < 240 {
                if sim.steps % 2 == 0 { keys = human.filter(driver.controls(for: sim), at: sim.metrics.time) }
                sim.step(keys)
            }
            let m = sim.metrics
            print(
                "track \(seed): \(Int(track.length)) m, laps \(m.lapTimes.map { String(format: "%.1f", $0) }), off-track \(String(format: "%.2f", m.offTrackTime)) s, crashes \(m.crashes), top \(Int(m.topSpeed * 3.6)) km/h"
            )
            XCTAssertEqual(m.laps, 3, "track \(seed): 3 laps within 240 s")
            XCTAssertLessThan(
                m.offTrackTime / m.time, 0.03, "track \(seed): off the asphalt \(m.offTrackTime) s of \(m.time) s")
            XCTAssertEqual(m.crashes, 0, "track \(seed)")
        }
    }

    func testHumanLikeKeysDelayTheDecisions() {
        var human = HumanLikeKeys(reactionDelay: 0.1, reactionJitter: 0, mistakesPerSecond: 0)
        XCTAssertEqual(human.filter([.up], at: 0), [])
        XCTAssertEqual(human.filter([.up], at: 0.05), [])
        XCTAssertEqual(human.filter([.up, .left], at: 0.1), [.up], "the decision of t = 0 arrives at 0.1")
        XCTAssertEqual(human.filter([.up, .left], at: 0.2), [.up, .left])
        // Slips happen at about the asked rate.
        var slippy = HumanLikeKeys(
            reactionDelay: 0, reactionJitter: 0, mistakesPerSecond: 2, mistakeDuration: 0.1...0.1, seed: 3)
        var changed = 0
        for k in 0..<1000 { if slippy.filter([.up], at: Double(k) * 0.01) != [.up] { changed += 1 } }
        XCTAssertGreaterThan(changed, 50)  // ~2/s x 10 s x 0.1 s = 2 s of 10 s
        XCTAssertLessThan(changed, 400)
    }
}
