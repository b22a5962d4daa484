import Foundation

/// How a racer car handles. Units: metres, seconds, radians.
public struct RacerHandling: Sendable {
    /// Engine acceleration at standstill, m/s² (falls to zero at top speed).
    public var acceleration = 13.0
    /// Braking deceleration, m/s².
    public var braking = 28.0
    /// Top speed on asphalt and on grass or gravel, m/s.
    public var topSpeed = 42.0, topSpeedOffTrack = 16.0
    /// Top reverse speed, m/s.
    public var reverseSpeed = 7.0
    /// Lateral grip on asphalt and off the track, m/s² (cornering faster than this drifts).
    public var grip = 15.0, gripOffTrack = 6.0
    /// Rolling drag when coasting, 1/s, and the extra drag of grass and gravel.
    public var drag = 0.08, dragOffTrack = 1.4
    /// Distance between the axles, m.
    public var wheelbase = 2.6
    /// Steering lock at standstill, radians (it narrows with speed).
    public var steeringLock = 0.55
    /// How fast the wheel turns towards the key's lock, per second (1 = full lock in 1 s).
    public var steeringRate = 5.0
    /// Car size, m.
    public var length = 4.4, width = 2.0

    public init() {}
}

/// The car's exact physical state.
public struct RacerCarState: Sendable, Equatable {
    /// Position, metres.
    public var position: SIMD2<Double>
    /// Where the nose points, radians counter-clockwise from +x.
    public var heading: Double
    /// Velocity over the ground, m/s (it differs from the heading when the car drifts).
    public var velocity: SIMD2<Double>
    /// Steering wheel, -1 (full right) ... 1 (full left).
    public var steering: Double

    public init(position: SIMD2<Double>, heading: Double, velocity: SIMD2<Double> = .zero, steering: Double = 0) {
        self.position = position
        self.heading = heading
        self.velocity = velocity
        self.steering = steering
    }

    /// Unit vector of the heading.
    public var forward: SIMD2<Double> { SIMD2(cos(heading), sin(heading)) }
    /// Speed along the heading, m/s (negative when reversing).
    public var forwardSpeed: Double { (velocity * forward).sum() }
    /// Sideways speed, m/s (positive to the left): the drift.
    public var lateralSpeed: Double {
        let f = forward
        return velocity.y * f.x - velocity.x * f.y
    }
    /// Ground speed, m/s.
    public var speed: Double { (velocity * velocity).sum().squareRoot() }
    /// Angle between heading and velocity, radians (0 when not moving).
    public var slipAngle: Double { speed < 0.5 ? 0 : atan2(lateralSpeed, abs(forwardSpeed)) }

    /// Advances the car by `dt` seconds with `controls` held; `onTrack` selects the grip and drag.
    public mutating func advance(controls: RacerControls, onTrack: Bool, handling h: RacerHandling, dt: Double) {
        // Steering wheel moves towards the held lock.
        let target: Double =
            controls.contains(.left) == controls.contains(.right) ? 0 : (controls.contains(.left) ? 1 : -1)
        let stepSteer = h.steeringRate * dt
        steering += Swift.max(-stepSteer, Swift.min(stepSteer, target - steering))
        // Turning: bicycle model on the forward speed; lock narrows with speed.
        let lock = h.steeringLock / (1 + abs(forwardSpeed) / 18)
        heading = remainder(heading + forwardSpeed * tan(lock * steering) / h.wheelbase * dt, 2 * Double.pi)
        // The velocity is unchanged by the turn; in the turned car's axes it has slip.
        let f = forward
        let nrm = SIMD2(-f.y, f.x)
        var u = (velocity * f).sum()
        var w = (velocity * nrm).sum()
        // Engine, brakes, reverse.
        let top = onTrack ? h.topSpeed : h.topSpeedOffTrack
        if controls.contains(.up) && !controls.contains(.down) {
            if u < 0 {
                u = Swift.min(0, u + h.braking * dt)
            } else {
                u += h.acceleration * Swift.max(0, 1 - u / top) * dt
            }
        } else if controls.contains(.down) && !controls.contains(.up) {
            if u > 0.3 {
                u = Swift.max(0, u - h.braking * dt)
            } else {
                u = Swift.max(-h.reverseSpeed, u - h.acceleration * 0.5 * dt)
            }
        }
        // Drag (coasting and off-track), and over-speed on grass bleeds off.
        let drag = h.drag + (onTrack ? 0 : h.dragOffTrack)
        u -= u * drag * dt
        if abs(u) > top { u -= (u - (u > 0 ? top : -top)) * 2 * dt }
        // Tyres pull the sideways speed to zero, but no harder than the grip allows: a little drift.
        let grip = (onTrack ? h.grip : h.gripOffTrack) * dt
        w = abs(w) <= grip ? 0 : w - (w > 0 ? grip : -grip)
        velocity = u * f + w * nrm
        position += velocity * dt
    }
}
