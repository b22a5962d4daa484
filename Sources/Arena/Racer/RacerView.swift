/// Everything one rendered racer frame depends on: the renderer is a pure function of this, so a
/// frame can be drawn again from a truth file and compared with a recording pixel for pixel.
public struct RacerView: Sendable, Equatable, Codable {
    /// Rendered frame number (seeds the frame's grain, dust and shake).
    public var frame: Int
    /// Car position, metres, and heading, radians.
    public var x: Double, y: Double, heading: Double
    /// Angle between heading and velocity, radians (the drift), and ground speed, m/s.
    public var slip: Double, speed: Double
    /// Steering wheel, -1 ... 1.
    public var steering: Double
    /// Progress in laps (laps + fraction), simulated seconds, crashes, off the asphalt now.
    public var progress: Double, time: Double
    public var crashes: Int
    public var offTrack: Bool

    public init(frame: Int, simulation s: RacerSimulation) {
        self.frame = frame
        x = s.car.position.x
        y = s.car.position.y
        heading = s.car.heading
        slip = s.car.slipAngle
        speed = s.car.speed
        steering = s.car.steering
        progress = s.metrics.progress
        time = s.metrics.time
        crashes = s.metrics.crashes
        offTrack = !s.isOnTrack
    }
}
