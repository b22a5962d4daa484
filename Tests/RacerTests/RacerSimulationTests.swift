import XCTest
import Foundation
import Arena
import Imaging

final class RacerSimulationTests: XCTestCase {
    func testTracksAreClosedVariedAndKeepTheirDistance() {
        var lengths = Set<Int>()
        for seed in UInt64(1)...6 {
            let t = RacerTrack(seed: seed)
            lengths.insert(Int(t.length))
            // Closed: the last sample is one spacing from the first.
            let gap = t.points[t.points.count - 1] - t.points[0]
            XCTAssertEqual((gap * gap).sum().squareRoot(), t.spacing, accuracy: 0.2, "seed \(seed) not closed")
            XCTAssertTrue((500...1300).contains(t.length), "seed \(seed): lap \(t.length) m")
            // Corners of varied radius: a tight one and a wide sweeper.
            let radii = t.curvatures.map { 1 / max(abs($0), 1e-6) }
            XCTAssertLessThan(radii.min()!, 45, "seed \(seed): no tight corner")
            XCTAssertGreaterThanOrEqual(radii.min()!, RacerTrack.minimumRadius * 0.98, "seed \(seed): corner too tight")
            XCTAssertTrue(radii.contains { (60...200).contains($0) }, "seed \(seed): no sweeper")
            // A straight: at least 40 m with radius above 300 m.
            var run = 0
            var longest = 0
            for r in radii + radii {
                run = r > 300 ? run + 1 : 0
                longest = max(longest, run)
            }
            XCTAssertGreaterThanOrEqual(
                Double(min(longest, t.points.count)) * t.spacing, 40, "seed \(seed): no straight")
            // Width changes.
            XCTAssertGreaterThan(t.widths.max()! - t.widths.min()!, 2, "seed \(seed): constant width")
            // The centre line is found again from its own points.
            for i in stride(from: 0, to: t.points.count, by: 97) {
                let loc = t.locate(t.points[i])
                XCTAssertEqual(loc.s, Double(i) * t.spacing, accuracy: 1.01)
                XCTAssertEqual(loc.lateral, 0, accuracy: 1e-6)
            }
        }
        XCTAssertGreaterThan(lengths.count, 4, "seeds give different tracks")
        XCTAssertEqual(RacerTrack(seed: 3).points, RacerTrack(seed: 3).points, "a seed gives one track")
    }

    func testTrackSizeScalesTheLoop() {
        for size in [0.5, 0.6, 2.0] {
            for seed in UInt64(1)...3 {
                let t = RacerTrack(seed: seed, size: size)
                XCTAssertGreaterThan(
                    t.widths.max()! - t.widths.min()!, 2,
                    "size \(size) seed \(seed): a generated track, not the fallback oval")
                XCTAssertLessThanOrEqual(t.curvatures.map { abs($0) }.max()!, 1.02 / RacerTrack.minimumRadius)
                XCTAssertTrue((450 * size...1400 * size).contains(t.length), "size \(size) seed \(seed): \(t.length) m")
            }
        }
    }

    func testChicaneIsAnSBend() {
        // Somewhere on every track the curvature changes sign within 50 m, both ways above 1/90 m.
        for seed in UInt64(1)...4 {
            let t = RacerTrack(seed: seed)
            let n = t.points.count
            var found = false
            for i in 0..<n where abs(t.curvatures[i]) > 1.0 / 90 {
                for k in 1...50
                where t.curvatures[(i + k) % n] * t.curvatures[i] < 0 && abs(t.curvatures[(i + k) % n]) > 1.0 / 90 {
                    found = true
                    break
                }
                if found { break }
            }
            XCTAssertTrue(found, "seed \(seed): no S-bend")
        }
    }

    func testFixedStepsAreDeterministic() {
        let track = RacerTrack(seed: 5)
        var a = RacerSimulation(track: track)
        var b = RacerSimulation(track: track)
        var controls: [RacerControls] = []
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<600 { controls.append(RacerControls(rawValue: UInt8.random(in: 0...15, using: &rng))) }
        for c in controls { a.step(c) }
        for c in controls { b.step(c) }
        XCTAssertEqual(a.car, b.car)
        XCTAssertEqual(a.metrics, b.metrics)
        XCTAssertEqual(a.metrics.time, 10, accuracy: 1e-9)
        // The rate is a parameter: 120 steps/s for 5 s is also 5 simulated seconds.
        var c = RacerSimulation(track: track, stepsPerSecond: 120)
        for _ in 0..<600 { c.step(.up) }
        XCTAssertEqual(c.metrics.time, 5, accuracy: 1e-9)
    }

    func testThrottleBrakeReverseAndDrift() {
        let track = RacerTrack(seed: 2)
        var sim = RacerSimulation(track: track)
        for _ in 0..<120 { sim.step(.up) }
        let fast = sim.car.forwardSpeed
        XCTAssertGreaterThan(fast, 12, "2 s of throttle")
        XCTAssertLessThan(fast, RacerHandling().topSpeed)
        XCTAssertGreaterThan(sim.metrics.progress * track.length, 10)
        var stoppedAfter: Int?
        for k in 0..<60 {
            sim.step(.down)
            if stoppedAfter == nil && sim.car.forwardSpeed < 0.5 { stoppedAfter = k }
        }
        XCTAssertNotNil(stoppedAfter, "brakes stop the car within 1 s")
        for _ in 0..<60 { sim.step(.down) }
        XCTAssertLessThan(sim.car.forwardSpeed, -1, "down reverses once stopped")
        // Drift: fast and on full lock the car slides; slowly it does not.
        var slow = RacerSimulation(track: track)
        for _ in 0..<20 { slow.step(.up) }
        var maxSlow = 0.0
        for _ in 0..<30 {
            slow.step([.left])
            maxSlow = max(maxSlow, abs(slow.car.slipAngle))
        }
        XCTAssertLessThan(maxSlow, 0.02)
        var quick = RacerSimulation(track: track)
        quick.place(
            RacerCarState(
                position: track.point(at: 0), heading: track.heading(at: 0),
                velocity: SIMD2(cos(track.heading(at: 0)), sin(track.heading(at: 0))) * 35))
        var maxQuick = 0.0
        for _ in 0..<30 {
            quick.step([.up, .left])
            maxQuick = max(maxQuick, abs(quick.car.slipAngle))
        }
        XCTAssertGreaterThan(maxQuick, 0.05, "a fast car on full lock drifts")
    }

    func testProgressLapsOffTrackAndCrashes() {
        let track = RacerTrack(seed: 4)
        var sim = RacerSimulation(track: track)
        // Carried along the centre line in 2 m hops for 2.5 laps: progress and laps follow.
        var s = 0.0
        while s < 2.5 * track.length {
            s += 2
            let p = track.point(at: s)
            let h = track.heading(at: s)
            sim.place(RacerCarState(position: p, heading: h))
        }
        XCTAssertEqual(sim.metrics.progress, 2.5, accuracy: 0.01)
        XCTAssertEqual(sim.metrics.laps, 2)
        XCTAssertEqual(sim.metrics.lapFraction, 0.5, accuracy: 0.01)
        // Full throttle and right lock from the start: off the asphalt, then into the tyre wall once.
        var crash = RacerSimulation(track: track)
        for _ in 0..<40 { crash.step(.up) }
        for _ in 0..<240 {
            crash.step([.up, .right])
            if crash.metrics.crashes > 0 { break }
        }
        XCTAssertGreaterThan(crash.metrics.offTrackTime, 0)
        XCTAssertEqual(crash.metrics.crashes, 1)
        let barrier = track.width(at: crash.location.s) / 2 + track.runoff
        XCTAssertLessThanOrEqual(abs(crash.location.lateral), barrier, "the car stays inside the barrier")
        XCTAssertLessThan(crash.car.speed, 10, "a crash kills the speed")
        // Pressed against the wall it is still one crash.
        for _ in 0..<20 { crash.step([.right]) }
        XCTAssertEqual(crash.metrics.crashes, 1)
        XCTAssertFalse(crash.isOnTrack)
    }

    func testRendererDrawsAMovingSceneDeterministically() throws {
        let track = RacerTrack(seed: 1)
        let renderer = RacerRenderer(track: track, width: 320, height: 240)
        var sim = RacerSimulation(track: track)
        let first = renderer.render(RacerView(frame: 0, simulation: sim))
        XCTAssertEqual(first, renderer.render(RacerView(frame: 0, simulation: sim)), "a view renders one way")
        for _ in 0..<90 { sim.step(.up) }
        let later = renderer.render(RacerView(frame: 1, simulation: sim))
        var differing = 0
        for i in stride(from: 0, to: first.pixels.count, by: 3)
        where abs(Int(first.pixels[i + 1]) - Int(later.pixels[i + 1])) > 20 { differing += 1 }
        XCTAssertGreaterThan(differing, 320 * 240 / 20, "the scenery moves")
        // The car: red body at the anchor (centre column, 68 % down).
        let px = later.pixel(x: 160 - 3, y: Int(240 * 0.68))
        XCTAssertGreaterThan(Int(px.red), 150)
        XCTAssertLessThan(Int(px.green), 80)
        if let dir = ProcessInfo.processInfo.environment["PIXELPILOT_RACER_PNG"] {
            try PNG.write(later, path: dir + "/racer-test.png")
        }
    }
}
