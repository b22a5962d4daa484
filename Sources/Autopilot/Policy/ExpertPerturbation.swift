import Arena
import Foundation
import TensorKit

/// Disturbances of the expert's recorded drives, so the recordings hold the states a learner
/// gets into and the expert's way out of them (the idea of DART: the car is sometimes driven by
/// a disturbance for a moment, while every frame stays labelled with the keys the expert *wants*
/// to hold). Without it the expert starts once per recording and never strays, and a policy that
/// slows down or drifts has never seen how to recover.
///
/// A disturbance starts on average every ``interval`` seconds (1 by default: on the driving
/// benchmark 1 s drove better than 2 s, and 2 s better than 4 s; BENCHMARKS.md) and is one of:
/// coasting (no keys), braking to a standstill (Down until the car nearly stops, then a moment of
/// standing), or a swerve (one arrow alone).
public struct ExpertPerturbation: Sendable {
    /// Mean seconds between disturbances (0 or less: none).
    public var interval: Double
    /// How long a coast or swerve lasts, seconds.
    public var duration: ClosedRange<Double>
    private var rng: SeededGenerator
    private var active: (until: Double, keys: RacerControls, toStop: Bool)?
    private var next: Double

    public init(interval: Double = 1, duration: ClosedRange<Double> = 0.3...1.0, seed: UInt64 = 1) {
        self.interval = interval
        self.duration = duration
        rng = SeededGenerator(seed: seed ^ 0xDA27)
        next = 0
        next = interval > 0 ? 1 + draw(0.5 * interval...1.5 * interval) : .infinity
    }

    /// No disturbances: the expert's keys pass through.
    public static let none = ExpertPerturbation(interval: 0)

    private mutating func draw(_ r: ClosedRange<Double>) -> Double {
        r.lowerBound + Double(rng.nextUniform()) * (r.upperBound - r.lowerBound)
    }

    /// The keys that drive the car at `time`, given the expert's `keys` and the car's forward speed.
    public mutating func apply(_ keys: RacerControls, at time: Double, forwardSpeed: Double) -> RacerControls {
        if let a = active {
            if a.toStop {
                if forwardSpeed > 0.5 { return .down }
                // Stopped: stand for a moment, then the expert must start again.
                active = (time + draw(0.3...0.8), [], false)
                return []
            }
            if time < a.until { return a.keys }
            active = nil
            next = time + draw(0.5 * interval...1.5 * interval)
        }
        guard time >= next else { return keys }
        switch rng.next() % 4 {
        case 0: active = (time + draw(duration), [], false)
        case 1: active = (.infinity, .down, true)
        case 2: active = (time + draw(duration), .left, false)
        default: active = (time + draw(duration), .right, false)
        }
        return apply(keys, at: time, forwardSpeed: forwardSpeed)
    }
}
