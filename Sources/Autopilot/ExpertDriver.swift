import Arena
import Foundation

/// A racing controller that reads the racer's true state and chooses which arrow keys to hold:
/// pure pursuit of a point on the centre line ahead (further at speed) for the steering, and a
/// speed limit from the corners ahead (grip and braking distance) for throttle and brake. It
/// backs out when stuck against the tyre wall. Its output is keys, not steering angles, so it
/// drives exactly as a person at a keyboard would.
public struct ExpertDriver: Sendable {
    public let track: RacerTrack
    public let handling: RacerHandling
    /// Fraction of the car's grip and brakes the driver dares to use (lower drives safer).
    public var caution: Double
    private var reverseUntil = -1.0

    public init(track: RacerTrack, handling: RacerHandling = RacerHandling(), caution: Double = 0.6) {
        self.track = track
        self.handling = handling
        self.caution = caution
    }

    /// The fastest speed at which the car can still take every corner in the next stretch.
    public func speedLimit(at s: Double, speed: Double) -> Double {
        let lateral = handling.grip * caution
        let braking = handling.braking * caution * 0.85
        let horizon = speed * speed / (2 * braking) + 15
        var limit = handling.topSpeed
        var k = 0.0
        while k <= horizon {
            let curvature = abs(track.curvature(at: s + k))
            if curvature > 1e-4 {
                let corner = (lateral / curvature).squareRoot()
                limit = Swift.min(limit, (corner * corner + 2 * braking * k).squareRoot())
            }
            k += 2
        }
        return limit
    }

    /// The keys to hold now for the car of `simulation`.
    public mutating func controls(for simulation: RacerSimulation) -> RacerControls {
        let car = simulation.car
        let loc = simulation.location
        let now = simulation.metrics.time
        let v = Swift.max(0, car.forwardSpeed)
        let lookahead = 6 + 0.42 * v
        let target = track.point(at: loc.s + lookahead)
        let d = target - car.position
        let alpha = remainder(atan2(d.y, d.x) - car.heading, 2 * Double.pi)
        var keys = RacerControls()
        // Stuck against the wall or facing away at a crawl: reverse out, wheel the other way.
        let barrier = track.width(at: loc.s) / 2 + track.runoff - handling.width / 2
        if now < reverseUntil {
            keys.insert(.down)
            keys.insert(alpha > 0 ? .right : .left)
            return keys
        }
        // Facing into the wall it stands against (the nose towards the barrier's side).
        let relative = remainder(car.heading - track.heading(at: loc.s), 2 * Double.pi)
        let intoWall = abs(loc.lateral) > barrier - 0.3 && (loc.lateral > 0 ? relative > 0.15 : relative < -0.15)
        if v < 1.5 && (abs(alpha) > 1.4 || intoWall) && now > 1 {
            reverseUntil = now + 0.9
            return [.down, alpha > 0 ? .right : .left]
        }
        // Steering: the wheel angle pure pursuit wants, reached by holding or releasing a key.
        let lock = handling.steeringLock / (1 + v / 18)
        let wanted = Swift.max(-1, Swift.min(1, atan(2 * handling.wheelbase * sin(alpha) / lookahead) / lock))
        if wanted > 0.04 {
            if car.steering < wanted { keys.insert(.left) } else if car.steering > wanted + 0.35 { keys.insert(.right) }
        } else if wanted < -0.04 {
            if car.steering > wanted { keys.insert(.right) } else if car.steering < wanted - 0.35 { keys.insert(.left) }
        } else if abs(car.steering) > 0.3 {
            keys.insert(car.steering > 0 ? .right : .left)
        }
        // Speed.
        let limit = speedLimit(at: loc.s, speed: v) * (simulation.isOnTrack ? 1 : 0.6)
        if v < limit - 0.5 { keys.insert(.up) } else if v > limit + 1.5 { keys.insert(.down) }
        return keys
    }
}
