import Arena
import Autopilot
import XCTest

/// The disturbances of the expert's recorded drives: they bring the car into states the expert
/// alone never visits (a standstill mid-drive, a swerve) while the expert's own keys, the labels,
/// ask to recover; without them the expert's keys drive the car unchanged.
final class ExpertPerturbationTests: XCTestCase {
    func drive(
        _ perturbation: ExpertPerturbation, seconds: Double = 30
    )
        -> (disturbed: Int, steps: Int, standingWithUpWanted: Int, swerves: Int)
    {
        let track = RacerTrack(seed: 7, size: 0.6)
        var simulation = RacerSimulation(track: track)
        var driver = ExpertDriver(track: track)
        var perturbation = perturbation
        var disturbed = 0
        var steps = 0
        var standing = 0
        var swerves = 0
        while simulation.metrics.time < seconds {
            let now = simulation.metrics.time
            let wanted = driver.controls(for: simulation)
            let driven = perturbation.apply(wanted, at: now, forwardSpeed: simulation.car.forwardSpeed)
            if driven != wanted { disturbed += 1 }
            if now > 2, abs(simulation.car.forwardSpeed) < 0.5, wanted.contains(.up), !driven.contains(.up) {
                standing += 1
            }
            if driven == .left || driven == .right, driven != wanted { swerves += 1 }
            simulation.step(driven)
            steps += 1
        }
        return (disturbed, steps, standing, swerves)
    }

    func testDisturbancesStopAndSwerveTheCarWhileTheExpertWantsToDrive() {
        let r = drive(ExpertPerturbation(interval: 2, seed: 3))
        XCTAssertGreaterThan(r.disturbed, r.steps / 20, "disturbed \(r.disturbed) of \(r.steps) steps")
        XCTAssertLessThan(r.disturbed, r.steps / 2, "the expert still drives most of the time")
        XCTAssertGreaterThan(r.standingWithUpWanted, 0, "the car stood still mid-drive while the expert wanted Up")
        XCTAssertGreaterThan(r.swerves, 0)
    }

    func testNoPerturbationPassesTheExpertsKeysThrough() {
        let r = drive(.none)
        XCTAssertEqual(r.disturbed, 0)
        XCTAssertGreaterThan(r.steps, 1000)
    }
}
